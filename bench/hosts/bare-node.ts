import { createServer } from 'node:http';
import { options, serve } from './child.ts';

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
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const address = server.address();
  return {
    ready: { port: typeof address === 'object' && address ? address.port : 0, pid: process.pid },
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
});
