import { createServer, type Socket } from 'node:net';
import { Pool, type Dispatcher } from 'undici';
import { listenNetOnLoopback, options, serve } from './child.ts';
import { onHeads } from './floor-heads.ts';

/**
 * The controller floor of part 4: the least a proxy that forwards with undici over Node sockets
 * holds per request. A node:net server reads each request's head and dispatches it through one
 * undici Pool to the member (a Client, so a connection, per request in flight, as the lab's
 * forwarder has), then relays the response as it comes. No logging, no header rewriting, no
 * timers: the member's responses are the floor member's, framed by Content-Length.
 */
const o = options<{ member: { host: string; port: number } }>();
const HOP_BY_HOP = /^(?:connection|keep-alive)$/i;
let accepted = 0;

/** One request's response on its way back to the client (undici's handler API, as the lab's forwarder uses). */
class Relay {
  constructor(private readonly client: Socket) {}

  onConnect(): void {}

  onHeaders(status: number, rawHeaders: Buffer[], _resume: () => void, statusText: string): boolean {
    let head = `HTTP/1.1 ${status} ${statusText}\r\n`;
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) head += `${rawHeaders[i]}: ${rawHeaders[i + 1]}\r\n`;
    this.client.write(`${head}\r\n`);
    return true;
  }

  onData(chunk: Buffer): boolean {
    return this.client.write(chunk);
  }

  onComplete(): void {}

  onError(): void {
    this.client.destroy();
  }
}

await serve(async () => {
  const pool = new Pool(`http://${o.member.host}:${o.member.port}`, { pipelining: 1, headersTimeout: 0, bodyTimeout: 0 });
  const server = createServer((client) => {
    client.on('error', () => {});
    onHeads(client, (head) => {
      accepted++;
      const lines = head.split('\r\n');
      const [method, path] = lines[0]!.split(' ');
      const headers: string[] = [];
      for (let i = 1; i < lines.length; i++) {
        const line = lines[i]!;
        const colon = line.indexOf(':');
        const name = line.slice(0, colon);
        if (!HOP_BY_HOP.test(name)) headers.push(name, line.slice(colon + 1).trim());
      }
      pool.dispatch({ method: method as Dispatcher.HttpMethod, path: path!, headers }, new Relay(client) as unknown as Dispatcher.DispatchHandler);
    });
  });
  return listenNetOnLoopback(server, () => accepted, () => pool.destroy());
});
