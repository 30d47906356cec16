import type { Server } from 'node:http';
import type { Server as NetServer, Socket } from 'node:net';
import { createInterface } from 'node:readline';

/**
 * The side of a bench child process that talks to bench/children.ts: the child reads its options
 * as JSON from argv[2], prints one `{"ready": ...}` line on stdout once it listens, then answers
 * JSON command lines from stdin. It stops (and exits, so a --cpu-prof profile gets written) on
 * SIGTERM or when its stdin closes, so a bench that dies never leaves it running.
 */
export interface Served {
  ready: Record<string, unknown>;
  stop(): Promise<void>;
  commands?: Record<string, () => unknown>;
}

export function options<T>(): T {
  const raw = process.argv[2];
  if (!raw) throw new Error('bench child: options JSON expected as the first argument');
  return JSON.parse(raw) as T;
}

export async function serve(start: () => Promise<Served>): Promise<void> {
  const served = await start();
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= served.stop().finally(() => process.exit(0));
    return stopping;
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    void (async () => {
      const { id, cmd } = JSON.parse(line) as { id: number; cmd: string };
      const fn = served.commands?.[cmd];
      try {
        if (!fn) throw new Error(`unknown command "${cmd}"`);
        process.stdout.write(`${JSON.stringify({ id, result: await fn() })}\n`);
      } catch (err) {
        process.stdout.write(`${JSON.stringify({ id, error: String((err as Error).message ?? err) })}\n`);
      }
    })();
  });
  lines.on('close', () => void stop());
  process.stdout.write(`${JSON.stringify({ ready: served.ready })}\n`);
}

/** A node:http server of a baseline child on a loopback port: its ready line and its stop. */
export async function listenOnLoopback(server: Server, cleanup: () => void = () => {}): Promise<Served> {
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const address = server.address();
  return {
    ready: { port: typeof address === 'object' && address ? address.port : 0, pid: process.pid },
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      cleanup();
    },
  };
}

/** Memory after two full collections (the process must run with --expose-gc), with the requests taken so far. */
export function memoryReading(accepted: number) {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  gc();
  gc();
  const m = process.memoryUsage();
  return { accepted, rss: m.rss, heapUsed: m.heapUsed, external: m.external };
}

/** A node:net server of a floor child on a loopback port, answering `stats` and `memory` with its count of requests. */
export async function listenNetOnLoopback(server: NetServer, accepted: () => number, cleanup: () => Promise<void> = async () => {}): Promise<Served> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const address = server.address();
  return {
    ready: { port: typeof address === 'object' && address ? address.port : 0, pid: process.pid },
    commands: {
      stats: () => ({ accepted: accepted() }),
      memory: () => memoryReading(accepted()),
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await cleanup();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
