import { z } from 'zod';
import { defineBehaviour, type BehaviourResult } from '../behaviour.ts';

/** Responds with the request as the member received it (JSON): what ARR forwarded, header by header. */
export default defineBehaviour({
  name: 'echo',
  summary: 'respond 200 with the received method, URL and headers as JSON',
  options: z.object({ status: z.number().int().min(100).max(999).default(200) }).strict().default({ status: 200 }),
  async run(request, o): Promise<BehaviourResult> {
    const { req, res } = request;
    res.statusCode = o.status;
    if (request.clientGone) return 'end';
    const body = JSON.stringify({ method: req.method, url: req.url, httpVersion: req.httpVersion, rawHeaders: req.rawHeaders, headers: req.headers });
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.end(body);
    return 'end';
  },
});
