import { z } from 'zod';
import { durationSchema } from '../../../core/duration-schema.ts';
import { slowloris } from '../../slowloris.ts';
import { defineAction } from './action.ts';

export default defineAction({
  key: 'slowloris',
  value: z.object({ connections: z.number().int().min(1).max(100), interval: durationSchema }).strict(),
  description: 'Slow clients on the controller: a header line every `interval`, never the end of the headers, until http.sys closes them: `{connections: 3, interval: 10s}`.',
  keys: {
    connections: 'Number of slow connections.',
    interval: 'Nominal time between header lines.',
  },
  async perform(lab, { connections, interval }) {
    await slowloris(lab, connections, interval);
  },
});
