// The listening end of a silent port (see silent-port.ts). It listens with the smallest backlog
// and then never accepts: its event loop is blocked, so the connections the parent opens stay in
// the kernel's accept queue, and once that queue is full the kernel drops every further SYN.
import { writeSync } from 'node:fs';
import { createServer } from 'node:net';

const server = createServer();
server.on('error', (err) => {
  writeSync(2, `${err.message}\n`);
  process.exit(1);
});
server.listen({ host: '127.0.0.1', port: Number(process.argv[2]), backlog: Number(process.argv[3]), exclusive: true }, () => {
  // Synchronous writes: the event loop must not turn again, or it would accept a connection.
  writeSync(1, `${server.address().port}\n`);
  // Sleep without a CPU cost, waking only to notice that the parent is gone (orphaned helpers
  // must not outlive a crashed lab); the parent normally ends this process with SIGKILL.
  const parent = process.ppid;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  while (process.ppid === parent) Atomics.wait(cell, 0, 0, 250);
  process.exit(0);
});
