import { z } from 'zod';
import { defineAction } from './action.ts';

export default defineAction({
  key: 'settle',
  value: z.literal(true),
  description: 'Wait until no host has a request in flight.',
  async perform(lab) {
    await lab.settle();
  },
});
