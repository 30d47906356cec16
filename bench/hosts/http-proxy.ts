import { Agent, createServer } from 'node:http';
import httpProxy from 'http-proxy';
import { listenOnLoopback, options, serve } from './child.ts';

/**
 * The reference Node forwarder: http-proxy 1.18 with a keep-alive agent to the member and nothing
 * else (no header rewriting, no logging), the smallest proxy a Node user would write.
 */
const o = options<{ member: { host: string; port: number } }>();
await serve(async () => {
  const agent = new Agent({ keepAlive: true });
  const proxy = httpProxy.createProxyServer({ target: `http://${o.member.host}:${o.member.port}`, agent });
  proxy.on('error', (_err, _req, res) => {
    if ('writeHead' in res && !res.headersSent) res.writeHead(502);
    res.end();
  });
  const server = createServer((req, res) => proxy.web(req, res));
  return listenOnLoopback(server, () => {
    agent.destroy();
    proxy.close();
  });
});
