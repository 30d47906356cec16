import { z } from 'zod';
import { durationSchema } from '../../core/duration-schema.ts';
import { defineBehaviour, type BehaviourResult } from '../behaviour.ts';
import { filler } from '../body.ts';

/**
 * Response.Flush() of the headers and part of the body, then Response.Close(): the client gets
 * some bytes, then an RST. With a Content-Length the body is visibly short; without one the
 * response is chunked and the terminating chunk never comes.
 */
export default defineBehaviour({
  name: 'flush-then-close',
  summary: 'flush headers and part of the body, then reset the connection (RST)',
  options: z
    .object({
      status: z.number().int().min(100).max(999).default(200),
      headers: z.record(z.string(), z.string()).default({}),
      /** Body bytes flushed before the reset. */
      bytes: z.number().int().min(0).max(64 * 1024 * 1024).default(100),
      /** Declared Content-Length; omit for a chunked response. */
      contentLength: z.number().int().min(0).optional(),
      /** Nominal pause between the flush and the reset, so the peer has read the bytes. */
      closeAfter: durationSchema.default(0),
    })
    .strict()
    .default({ status: 200, headers: {}, bytes: 100, closeAfter: 0 }),
  async run(request, o): Promise<BehaviourResult> {
    const { res } = request;
    res.statusCode = o.status;
    res.setHeader('Content-Type', 'text/html');
    res.setHeader('X-Powered-By', 'ASP.NET');
    for (const [k, v] of Object.entries(o.headers)) res.setHeader(k, v);
    if (o.contentLength !== undefined) res.setHeader('Content-Length', o.contentLength);
    if (!request.clientGone) {
      await new Promise<void>((resolve) => {
        res.flushHeaders();
        if (o.bytes > 0) res.write(filler(o.bytes), () => resolve());
        else resolve();
      });
      await request.clock.sleep(o.closeAfter, request.signal);
    }
    request.drop('Connection_Dropped', 'reset');
    return 'end';
  },
});
