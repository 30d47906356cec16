import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../bin/arr-lab.mjs', import.meta.url));

/** Runs the CLI to the end, as a user's shell would (stdout piped, so not a TTY). */
export function arrLab(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Starts the CLI and collects its output; `exited` resolves with the exit code and the output. */
export function startArrLab(args: string[]): { child: ChildProcess; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }> } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string; err: string }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, out, err })),
  );
  return { child, exited };
}

/** Every file under `dir`, relative. */
export function filesUnder(dir: string, base = dir): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path, base) : [path.slice(base.length + 1)];
  });
}

/**
 * Resolves once the child has written a file whose path matches `pattern` under `dir`: the
 * trigger is the child's own output, whatever the machine's speed. Rejects if the child exits first.
 */
export async function whenWritten(child: ChildProcess, dir: string, pattern: RegExp): Promise<string> {
  for (;;) {
    const hit = filesUnder(dir).find((f) => pattern.test(f) && statSync(join(dir, f)).size > 0);
    if (hit) return hit;
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the child exited before writing ${pattern}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Processes whose parent is `ppid` and whose command line contains `text`, read from /proc. */
export function childrenOf(ppid: number, text: string): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return parent === ppid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text) ? [Number(pid)] : [];
    } catch {
      return []; // gone while we looked
    }
  });
}

/** Resolves once none of `pids` is running (gone, or a zombie awaiting its reaper); the caller's timeout bounds the wait. */
export async function whenGone(pids: number[]): Promise<void> {
  const running = (pid: number) => {
    try {
      return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
    } catch {
      return false;
    }
  };
  while (pids.some(running)) await new Promise((r) => setTimeout(r, 20));
}
