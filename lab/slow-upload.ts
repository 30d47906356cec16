import type { Lab } from './lab.ts';
import { openClientSocket } from './client-socket.ts';

/**
 * Clients that announce a request body and stop sending it part way (a stalled upload): http.sys
 * on the controller ends each request after connectionTimeout without progress and logs it as
 * Timer_EntityBody (docs/reference.md §6.4, §6.5). Resolves when the server has closed every connection.
 */
export async function slowUpload(lab: Lab, o: { connections: number; path: string; announced: number; sent: number }): Promise<void> {
  const pending: Promise<void>[] = [];
  for (let i = 0; i < o.connections; i++) {
    const client = await openClientSocket(lab);
    if (!client) continue;
    client.socket.write(`POST ${o.path} HTTP/1.1\r\nHost: arr.contoso.test\r\nContent-Type: application/octet-stream\r\nContent-Length: ${o.announced}\r\n\r\n${'x'.repeat(o.sent)}`);
    pending.push(client.closed);
  }
  await Promise.all(pending);
}
