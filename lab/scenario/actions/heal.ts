import { z } from 'zod';
import { realHost } from './real-host.ts';
import { defineAction } from './action.ts';

export default defineAction({
  key: 'heal',
  value: z.array(z.string()).min(1),
  description: 'Undo the real faults of these container members, the latest first.',
  names: { kind: 'member', in: 'items' },
  containersOnly: true,
  async perform(lab, members) {
    for (const member of members) await realHost(lab, member).heal();
  },
});
