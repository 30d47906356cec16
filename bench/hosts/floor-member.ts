import { createServer } from 'node:net';
import { listenNetOnLoopback, serve } from './child.ts';
import { onHeads } from './floor-heads.ts';

/**
 * The member floor of part 4: a node:net server that takes each request's head and never answers
 * (only `/warm/` is answered, so the warm-up before the baseline runs as it does for the lab). What
 * a held request costs a Node member that does nothing at all with it: its socket.
 */
const WARM = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
let accepted = 0;

await serve(async () => {
  const server = createServer((socket) => {
    socket.on('error', () => {});
    onHeads(socket, (head) => {
      accepted++;
      if (head.startsWith('GET /warm/')) socket.write(WARM);
    });
  });
  return listenNetOnLoopback(server, () => accepted);
});
