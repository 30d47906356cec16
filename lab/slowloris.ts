import type { Lab } from './lab.ts';
import { openClientSocket } from './client-socket.ts';

/**
 * A slowloris client: connections that send a request line and then one header line every
 * `intervalMs` (nominal, on the lab clock), never the blank line that ends the headers, until the
 * server gives up on them. Resolves with how many the server closed. Only ever aims at the lab's
 * own controller on loopback.
 */
export async function slowloris(lab: Lab, connections: number, intervalMs: number): Promise<number> {
  const pending: Promise<void>[] = [];
  for (let i = 0; i < connections; i++) {
    const client = await openClientSocket(lab);
    if (!client) continue;
    const { socket, closed } = client;
    let stopped = false;
    void closed.then(() => (stopped = true));
    const drip = () => {
      if (stopped) return;
      socket.write(`X-Slowloris-${Math.floor(lab.clock.elapsed())}: 1\r\n`);
      lab.clock.sleep(intervalMs).then(drip, () => socket.destroy());
    };
    socket.write('GET / HTTP/1.1\r\nHost: arr.contoso.test\r\n');
    lab.clock.sleep(intervalMs).then(drip, () => socket.destroy());
    pending.push(closed);
  }
  await Promise.all(pending);
  return pending.length;
}
