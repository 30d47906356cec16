import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { compiledHost } from './host-build.ts';

/** Every process the bench started and has not stopped yet; killed by pid if the bench dies. */
const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) {
    if (child.pid === undefined) continue;
    // Children first: nginx's worker outlives a killed master.
    for (const pid of processTree(child.pid).reverse()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }
});
// A signal would end the bench without the exit event, leaving nginx behind: exit properly instead.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

export interface Child {
  readonly pid: number;
  readonly ready: Record<string, unknown>;
  readonly port: number;
  ask<T>(cmd: string): Promise<T>;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /** Extra node flags (--expose-gc...). */
  nodeFlags?: string[];
  /** Wall ms the child may take to print its ready line. */
  readyWithinMs?: number;
}

/** Spawns a process the bench owns: it is killed (by its pid) if the bench exits first. */
export function spawnTracked(cmd: string, args: string[], stdio: StdioOptions): { child: ChildProcess; exited: Promise<void> } {
  const child = spawn(cmd, args, { stdio });
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => live.delete(child));
  return { child, exited };
}

/** Asks a process to stop with `signal`, and kills it if it is still there 10 s later. */
export async function terminate(child: ChildProcess, exited: Promise<void>, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill(signal);
  const late = await Promise.race([exited.then(() => false), delay(10_000).then(() => true)]);
  if (late) {
    child.kill('SIGKILL');
    await exited;
  }
}

/** Starts bench/hosts/<name>.ts, compiled, in its own node process and waits for its ready line. */
export async function startChild(name: string, opts: unknown, spawnOptions: SpawnOptions = {}): Promise<Child> {
  const file = await compiledHost(name);
  const { child, exited } = spawnTracked(process.execPath, [...(spawnOptions.nodeFlags ?? []), file, JSON.stringify(opts)], ['pipe', 'pipe', 'inherit']);
  const lines = createInterface({ input: child.stdout! });
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let nextId = 1;
  let readyResolve: (v: Record<string, unknown>) => void = () => {};
  const readyLine = new Promise<Record<string, unknown>>((resolve) => (readyResolve = resolve));
  lines.on('line', (line) => {
    let msg: { ready?: Record<string, unknown>; id?: number; result?: unknown; error?: string };
    try {
      msg = JSON.parse(line);
    } catch {
      process.stderr.write(`[${name}] ${line}\n`);
      return;
    }
    if (msg.ready) return readyResolve(msg.ready);
    const w = msg.id !== undefined ? waiting.get(msg.id) : undefined;
    if (!w) return;
    waiting.delete(msg.id!);
    if (msg.error !== undefined) w.reject(new Error(`${name}: ${msg.error}`));
    else w.resolve(msg.result);
  });

  // A child that dies fails whatever was asked of it instead of leaving the bench waiting.
  void exited.then(() => {
    for (const w of waiting.values()) w.reject(new Error(`bench child ${name} exited (code ${child.exitCode ?? child.signalCode})`));
    waiting.clear();
  });

  const stop = async () => {
    child.stdin!.end();
    await terminate(child, exited, 'SIGTERM');
  };

  const within = spawnOptions.readyWithinMs ?? 30_000;
  const ready = await Promise.race([
    readyLine,
    exited.then(() => Promise.reject(new Error(`bench child ${name} exited before it was ready`))),
    delay(within).then(() => Promise.reject(new Error(`bench child ${name} not ready within ${within} ms`))),
  ]).catch(async (err: Error) => {
    await stop();
    throw err;
  });
  return {
    pid: child.pid!,
    ready,
    port: Number(ready.port),
    ask<T>(cmd: string): Promise<T> {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.reject(new Error(`bench child ${name} has exited`));
      const id = nextId++;
      child.stdin!.write(`${JSON.stringify({ id, cmd })}\n`);
      return new Promise<T>((resolve, reject) => waiting.set(id, { resolve: resolve as (v: unknown) => void, reject }));
    },
    stop,
  };
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Stops every child, whatever happened to the others. */
export async function stopAll(children: (Child | undefined)[]): Promise<void> {
  await Promise.allSettled(children.map((c) => c?.stop()));
}

/** utime + stime of a process (all its threads) in clock ticks, from /proc/<pid>/stat. */
export function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces; fields are counted after its closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** A process and its direct children (nginx: master and workers). */
export function processTree(pid: number): number[] {
  const out = [pid];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // The process ended while the list was read.
    }
  }
  return out;
}

/** Read and write system calls a process has made so far (/proc/<pid>/io syscr + syscw). */
export function syscalls(pid: number): number {
  const io = readFileSync(`/proc/${pid}/io`, 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(io)?.[1] ?? NaN);
  return field('syscr') + field('syscw');
}
