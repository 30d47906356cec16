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
  // Each connection is open before the next starts, so that in a deterministic run the address
  // book gives them modelled source ports in creation order, not in the order the kernel accepted them.
  const one = async (): Promise<{ closed: Promise<boolean> }> => {
    const socket: Socket = connect({ host, port });
    socket.on('error', () => {});
    const closed = new Promise<boolean>((resolve) => socket.once('close', () => resolve(true)));
    const opened = await Promise.race([new Promise<boolean>((resolve) => socket.once('connect', () => resolve(true))), closed.then(() => false)]);
    if (!opened) return { closed };
    if (lab.addresses) lab.addresses.book.connected(socket.localPort ?? 0, lab.addresses.clientIp);
    let stopped = false;
    void closed.then(() => (stopped = true));
    const drip = () => {
      if (stopped) return;
      socket.write(`X-Slowloris-${Math.floor(lab.clock.elapsed())}: 1\r\n`);
      lab.clock.sleep(intervalMs).then(drip, () => socket.destroy());
    };
    socket.write('GET / HTTP/1.1\r\nHost: arr.contoso.test\r\n');
    lab.clock.sleep(intervalMs).then(drip, () => socket.destroy());
    return { closed };
  };
  const pending: Promise<boolean>[] = [];
  for (let i = 0; i < connections; i++) pending.push((await one()).closed);
  const closed = await Promise.all(pending);
  return closed.filter(Boolean).length;
}
