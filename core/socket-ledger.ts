import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

/**
 * Knows whether anything is on its way between lab parties: a connect not yet answered, or bytes
 * one end has written and the other end has not read yet. Both ends of every lab connection live
 * in this process, so "nothing in flight" means nothing can happen until a timer fires.
 *
 * Stalls do not count: a connect or a transfer that has made no progress for `STALL_MS` is
 * waiting on a timer itself (a silent member never answers the SYN, a page that stops reading
 * leaves the request body unread), and so is a pair whose socket is gone (an RST leaves bytes
 * that will never be read).
 */
const STALL_MS = 25;

interface Pair {
  client: Socket;
  server?: Socket;
  /** The four byte counters at the last change, and when they changed. */
  counters: string;
  since: number;
}

const pairs = new Map<number, Pair>();
/** Server sockets whose client end the ledger has not heard of yet (accept can come first). */
const early = new Map<number, Socket>();
/** Start instants of connects in progress, oldest first. */
const connects: number[] = [];

function inFlight(pair: Pair, now: number): boolean {
  const { client, server } = pair;
  if (client.destroyed || server?.destroyed) return false;
  const counters = `${client.bytesWritten}/${client.bytesRead}/${server?.bytesWritten}/${server?.bytesRead}`;
  const pending = !server || client.bytesWritten !== server.bytesRead || server.bytesWritten !== client.bytesRead;
  if (!pending) return false;
  if (counters !== pair.counters) {
    pair.counters = counters;
    pair.since = now;
  }
  return now - pair.since < STALL_MS;
}

export const socketLedger = {
  connectStarted(): void {
    connects.push(performance.now());
  },

  connectEnded(socket: Socket | undefined): void {
    connects.shift();
    if (!socket?.localPort) return;
    const port = socket.localPort;
    const server = early.get(port);
    early.delete(port);
    pairs.set(port, { client: socket, server, counters: '', since: performance.now() });
    socket.once('close', () => pairs.delete(port));
  },

  accepted(socket: Socket): void {
    const port = socket.remotePort ?? -1;
    const pair = pairs.get(port);
    if (pair) {
      pair.server = socket;
      return;
    }
    early.set(port, socket);
    socket.once('close', () => {
      if (early.get(port) === socket) early.delete(port);
    });
  },

  /** Whether some lab connect or some lab bytes are still on their way. */
  busy(): boolean {
    const now = performance.now();
    if (connects.some((started) => now - started < STALL_MS)) return true;
    for (const pair of pairs.values()) if (inFlight(pair, now)) return true;
    return false;
  },
};
