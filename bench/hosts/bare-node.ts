import { createServer } from 'node:http';
import { listenOnLoopback, options, serve } from './child.ts';

/**
 * The baseline for a member host: a bare node:http server answering the same 1 KiB page with the
 * same headers, no logging, no http.sys model.
 */
const o = options<{ bodyBytes: number }>();
await serve(async () => {
  const body = Buffer.alloc(o.bodyBytes, 'x');
  const server = createServer((req, res) => {
    req.resume();
    res.setHeader('Content-Type', 'text/html');
    res.setHeader('X-Powered-By', 'ASP.NET');
    res.setHeader('Server', 'Microsoft-IIS/10.0');
    res.setHeader('Content-Length', body.length);
    res.end(body);
  });
  server.keepAliveTimeout = 0;
  return listenOnLoopback(server);
});
