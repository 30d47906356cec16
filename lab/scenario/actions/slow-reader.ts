import { z } from 'zod';
import { slowReader } from '../../slow-reader.ts';
import { defineAction } from './action.ts';

export default defineAction({
  key: 'slowReader',
  value: z.object({ connections: z.number().int().min(1).max(100), path: z.string().startsWith('/') }).strict(),
  description: 'Clients on the controller that ask for a page and never read it (Timer_MinBytesPerSecond; ARR must buffer the whole response).',
  keys: {
    connections: 'Number of clients that never read.',
    path: 'Path each asks for.',
  },
  async perform(lab, readers) {
    await slowReader(lab, readers);
  },
});
