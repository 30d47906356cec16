import { z } from 'zod';
import { durationSchema } from '../../core/duration-schema.ts';
import { defineBehaviour, type BehaviourResult } from '../behaviour.ts';

/**
 * Writes bytes straight to the connection, bypassing HTTP: garbage instead of a status line, or a
 * response cut inside its headers. The connection then ends with an RST (`reset`) or a FIN
 * (`close`); either way no complete response was sent, so http.sys logs Connection_Dropped.
 */
export default defineBehaviour({
  name: 'send-raw',
  summary: 'write raw bytes (garbage, a cut status line...) then reset or close the connection',
  options: z
    .object({
      data: z.string().default('HTTP/1.1 200 OK\r\nContent-Type: te'),
      then: z.enum(['reset', 'close']).default('reset'),
      /** Nominal pause between the write and the end, so the peer has read the bytes. */
      closeAfter: durationSchema.default(0),
    })
    .strict()
    .default({ data: 'HTTP/1.1 200 OK\r\nContent-Type: te', then: 'reset', closeAfter: 0 }),
  async run(request, o): Promise<BehaviourResult> {
    const socket = request.socket;
    if (!request.clientGone) {
      await new Promise<void>((resolve) => socket.write(o.data, 'latin1', () => resolve()));
      await request.clock.sleep(o.closeAfter, request.signal);
    }
    request.drop('Connection_Dropped', o.then === 'reset' ? 'reset' : 'close');
    return 'end';
  },
});
