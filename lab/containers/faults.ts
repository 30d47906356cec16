import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { z } from 'zod';

const run = promisify(execFile);

/**
 * Real faults on a member container, each with its undo. What a client sees for each is in
 * docs/containers.md (measured). The netfilter and tc faults enter the container's network
 * namespace from the host (nsenter, root), so the image needs no tools and no capability; they
 * only ever touch the member's own port inside its own namespace.
 */
export const faultSchema = z.union([
  z.enum(['pause', 'stop', 'kill', 'crash', 'disconnect', 'blackhole', 'reject']),
  z.object({ bandwidth: z.string().regex(/^\d+(\.\d+)?(bit|kbit|mbit|gbit)$/, 'a tc rate such as 512kbit or 4mbit') }).strict(),
  z.object({ loss: z.number().gt(0).lt(1) }).strict(),
]);
export type Fault = z.output<typeof faultSchema>;

export function faultName(fault: Fault): string {
  return typeof fault === 'string' ? fault : Object.keys(fault)[0]!;
}

/** What a fault needs from the member's container. */
export interface FaultTarget {
  /** The container's init process on the host (for nsenter), while it runs. */
  pid(): Promise<number>;
  /** The member's address on the run's network. */
  ip(): string;
  /** The port the member serves on. */
  port: number;
  pause(): Promise<void>;
  unpause(): Promise<void>;
  /** Stops the container (`docker stop -t 0`) or kills it outright. */
  halt(how: 'stop' | 'kill'): Promise<void>;
  /** Starts it again and waits until the member serves. */
  restart(): Promise<void>;
  /** Sends a signal to the supervisor (PID 1): SIGUSR2 kills the member process, SIGUSR1 starts it. */
  signal(name: 'SIGUSR1' | 'SIGUSR2'): Promise<void>;
  /** Waits until a member process serves again after a SIGUSR1. */
  serving(): Promise<void>;
  /** Resolves once the member process has died (its connections are closed by the kernel). */
  exited(): Promise<void>;
  disconnect(): Promise<void>;
  reconnect(): Promise<void>;
}

export type Undo = () => Promise<void>;

async function inNetns(pid: number, command: string[]): Promise<void> {
  await run('nsenter', ['-t', String(pid), '-n', ...command]);
}

/**
 * The host keeps a neighbour entry for a gone address as long as another container keeps the
 * bridge up; SYNs then go to a MAC nobody has and the client waits for its own timeout. Flushing
 * it makes the kernel ask again and answer EHOSTUNREACH after ~3 s, as for a host that is gone.
 */
async function forgetNeighbour(ip: string): Promise<void> {
  await run('ip', ['neigh', 'flush', 'to', ip]).catch(() => undefined);
}

function iptablesRule(target: FaultTarget, fault: 'blackhole' | 'reject' | { loss: number }): string[] {
  const base = ['INPUT', '-p', 'tcp', '--dport', String(target.port)];
  if (fault === 'blackhole') return [...base, '--syn', '-j', 'DROP'];
  if (fault === 'reject') return [...base, '--syn', '-j', 'REJECT', '--reject-with', 'tcp-reset'];
  return [...base, '-m', 'statistic', '--mode', 'random', '--probability', String(fault.loss), '-j', 'DROP'];
}

export async function applyFault(target: FaultTarget, fault: Fault): Promise<Undo> {
  if (fault === 'pause') {
    await target.pause();
    return () => target.unpause();
  }
  if (fault === 'stop' || fault === 'kill') {
    const ip = target.ip();
    await target.halt(fault);
    await forgetNeighbour(ip);
    return () => target.restart();
  }
  if (fault === 'crash') {
    const exited = target.exited();
    await target.signal('SIGUSR2');
    // docker kill returns once the signal is sent; the fault is in place when the process is gone.
    await exited;
    return async () => {
      await target.signal('SIGUSR1');
      await target.serving();
    };
  }
  if (fault === 'disconnect') {
    const ip = target.ip();
    await target.disconnect();
    await forgetNeighbour(ip);
    return () => target.reconnect();
  }
  const pid = await target.pid();
  if (typeof fault === 'object' && 'bandwidth' in fault) {
    // Shapes what leaves the member (its responses); netem is not in this kernel, tbf is.
    await inNetns(pid, ['tc', 'qdisc', 'add', 'dev', 'eth0', 'root', 'tbf', 'rate', fault.bandwidth, 'burst', '32kbit', 'latency', '400ms']);
    return () => inNetns(pid, ['tc', 'qdisc', 'del', 'dev', 'eth0', 'root']);
  }
  const rule = iptablesRule(target, fault);
  await inNetns(pid, ['iptables', '-I', ...rule]);
  return () => inNetns(pid, ['iptables', '-D', ...rule]);
}
