import type { Lab } from './lab.ts';
import { openClientSocket } from './client-socket.ts';

/**
 * Clients that ask for a page and never read the response: once the socket buffers are full the
 * controller's send stalls, and http.sys cuts the connection when the response has taken longer
 * than its length at minBytesPerSecond (Timer_MinBytesPerSecond, docs/reference.md §6.5). Resolves when
 * the server has closed every connection.
 */
export async function slowReader(lab: Lab, o: { connections: number; path: string }): Promise<void> {
  const pending: Promise<void>[] = [];
  for (let i = 0; i < o.connections; i++) {
    const client = await openClientSocket(lab);
    if (!client) continue;
    client.socket.write(`GET ${o.path} HTTP/1.1\r\nHost: arr.contoso.test\r\n\r\n`);
    client.socket.pause();
    // A paused socket does not see the server's FIN; the host's log line says it is over.
    pending.push(client.closed);
    const logged = lab.controller.logged;
    void (async () => {
      while (!client.socket.destroyed && lab.controller.logged === logged) await lab.clock.sleep(1000).catch(() => undefined);
      client.socket.destroy();
    })();
  }
  await Promise.all(pending);
}
