import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

// Up and back into lab/: the same path from the source (lab/) and from the compiled CLI (dist/).
const CHILD = fileURLToPath(new URL('../lab/silent-port-child.mjs', import.meta.url));

/** listen(2)'s backlog. Linux queues backlog + 1 finished handshakes before it drops SYNs. */
const BACKLOG = 1;

/**
 * A loopback port whose SYNs are never answered: a member whose host is down or unreachable
 * (docs/reference.md §3.2, §8.2, §9 row 4), made without root, without a firewall rule and without a
 * shortcut in the proxy, so the proxy's own connect really hangs until its connect timeout.
 *
 * Linux answers a SYN to a listening port only while the port's accept queue has room; when the
 * queue is full and net.ipv4.tcp_abort_on_overflow is 0 (the default) it drops the SYN without a
 * reply (no SYN-ACK, no RST), and the client retransmits until its own timeout. So a helper
 * process listens on the port with backlog 1 and never accepts (Node's net.Server always accepts,
 * so the helper blocks its own event loop), and this side fills its queue with two connections.
 * The queue length is then read back from /proc/net/tcp so a port that is not silent is an error
 * rather than a surprise. Linux only.
 */
export class SilentPort {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly fillers: Socket[],
    private readonly exited: Promise<void>,
  ) {}

  static async open(port: number): Promise<SilentPort> {
    const child = spawn(process.execPath, [CHILD, String(port), String(BACKLOG)], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const fillers: Socket[] = [];
    const abandon = async (err: unknown): Promise<never> => {
      for (const s of fillers) s.destroy();
      child.kill('SIGKILL');
      await exited;
      throw err;
    };
    let bound: number;
    try {
      bound = await readyPort(child);
      for (let i = 0; i <= BACKLOG; i++) fillers.push(await connected(bound));
      await acceptQueueFull(bound);
    } catch (err) {
      return abandon(err);
    }
    return new SilentPort(bound, child, fillers, exited);
  }

  /** Closes the port (the kernel resets what was queued) and ends the helper. */
  async close(): Promise<void> {
    for (const s of this.fillers) s.destroy();
    this.child.kill('SIGKILL');
    await this.exited;
  }
}

function readyPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('\n')) resolve(Number(out.trim()));
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`silent port helper exited (${code}) before listening: ${err.trim() || 'no message'}`)));
  });
}

function connected(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.off('error', reject);
      // The helper never reads or writes; nothing is expected on these sockets but their end.
      s.on('error', () => {});
      resolve(s);
    });
    s.once('error', reject);
  });
}

/**
 * Waits (event-loop turns, no clock) until the kernel shows the listener's accept queue full;
 * loopback handshakes complete within a turn or two.
 */
async function acceptQueueFull(port: number): Promise<void> {
  let queued = 0;
  for (let turn = 0; turn < 100; turn++) {
    queued = acceptQueueLength(port);
    if (queued > BACKLOG) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`silent port ${port}: the accept queue holds ${queued} connection(s), not ${BACKLOG + 1}; SYNs would still be answered`);
}

/** For a listening socket, /proc/net/tcp's rx_queue is the accept-queue length (sk_ack_backlog). */
function acceptQueueLength(port: number): number {
  let table: string;
  try {
    table = readFileSync('/proc/net/tcp', 'latin1');
  } catch {
    throw new Error('a silent member needs Linux: /proc/net/tcp is not readable here');
  }
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  for (const line of table.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[1] === local && f[3] === '0A') return Number.parseInt(f[4]!.split(':')[1]!, 16);
  }
  throw new Error(`silent port ${port}: no listening socket in /proc/net/tcp`);
}
