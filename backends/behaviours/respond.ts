import { z } from 'zod';
import { defineBehaviour } from '../behaviour.ts';
import { bodyOf, bodySpec } from '../body.ts';

/** Writes a complete response: the page finished normally. */
export default defineBehaviour({
  name: 'respond',
  summary: 'send a complete response (status, headers, body) and finish the request',
  options: z
    .object({
      status: z.number().int().min(100).max(999).default(200),
      headers: z.record(z.string(), z.string()).default({}),
      ...bodySpec,
    })
    .strict()
    .default({ status: 200, headers: {} }),
  run(request, o) {
    const { res } = request;
    res.statusCode = o.status;
    if (request.clientGone) return 'end';
    const body = bodyOf(o, request.host.identity.name);
    res.setHeader('Content-Type', 'text/html');
    res.setHeader('X-Powered-By', 'ASP.NET');
    for (const [k, v] of Object.entries(o.headers)) res.setHeader(k, v);
    res.setHeader('Content-Length', body.length);
    res.end(body);
    return 'end';
  },
});
