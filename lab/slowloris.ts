import { connect, type Socket } from 'node:net';
import type { Lab } from './lab.ts';

/**
 * A slowloris client: connections that send a request line and then one header line every
 * `intervalMs` (nominal, on the lab clock), never the blank line that ends the headers, until the
 * server gives up on them. Resolves with how many the server closed. Only ever aims at the lab's
 * own controller on loopback.
 */
export async function slowloris(lab: Lab, connections: number, intervalMs: number): Promise<number> {
  const { host, port } = lab.controller.endpoint;
  const one = () =>
    new Promise<boolean>((resolve) => {
      const socket: Socket = connect({ host, port });
      let stopped = false;
      const drip = () => {
        if (stopped) return;
        socket.write(`X-Slowloris-${Math.floor(lab.clock.elapsed())}: 1\r\n`);
        lab.clock.sleep(intervalMs).then(drip, () => socket.destroy());
      };
      socket.once('connect', () => {
        socket.write('GET / HTTP/1.1\r\nHost: arr.contoso.test\r\n');
        lab.clock.sleep(intervalMs).then(drip, () => socket.destroy());
      });
      socket.on('error', () => {});
      socket.once('close', () => {
        stopped = true;
        resolve(true);
      });
    });
  const closed = await Promise.all(Array.from({ length: connections }, one));
  return closed.filter(Boolean).length;
}
