import type { Socket } from 'node:net';

/**
 * Calls `onHead` with each request head (request line and header lines, without the blank line)
 * that arrives on `socket`, the least a server must do to take a request. The floor's requests
 * have no bodies.
 */
export function onHeads(socket: Socket, onHead: (head: string) => void): void {
  let pending = '';
  socket.on('data', (data: Buffer) => {
    pending += data.toString('latin1');
    for (let end = pending.indexOf('\r\n\r\n'); end >= 0; end = pending.indexOf('\r\n\r\n')) {
      const head = pending.slice(0, end);
      pending = pending.slice(end + 4);
      onHead(head);
    }
  });
}
