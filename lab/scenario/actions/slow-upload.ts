import { z } from 'zod';
import { slowUpload } from '../../slow-upload.ts';
import { defineAction } from './action.ts';

export default defineAction({
  key: 'slowUpload',
  value: z
    .object({ connections: z.number().int().min(1).max(100), path: z.string().startsWith('/'), announced: z.number().int().min(1), sent: z.number().int().min(0) })
    .strict()
    .refine((u) => u.sent < u.announced, { message: 'sent must be less than announced', path: ['sent'] }),
  description: 'Slow uploads on the controller: a body announced, part of it sent, then nothing (Timer_EntityBody).',
  keys: {
    connections: 'Number of stalled uploads.',
    path: 'Path each upload posts to.',
    announced: 'Content-Length each upload announces.',
    sent: 'Body bytes each sends before it stalls (less than announced).',
  },
  async perform(lab, uploads) {
    await slowUpload(lab, uploads);
  },
});
