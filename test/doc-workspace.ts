import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './helpers.ts';

const ROOT = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const BIN = join(ROOT, 'bin', 'arr-lab.mjs');

/** Folders a doc's commands write into: a workspace starts without them, so the checkout's own stay untouched. */
const WRITTEN = new Set(['out', 'fixtures', '.git']);

/**
 * A checkout as a newcomer has it after `npm install` (every top-level entry, linked), in a
 * folder of its own, with `arr-lab` on PATH as npm would link it: a doc's commands run there as
 * written and write only there.
 */
export function docWorkspace(): { dir: string; env: NodeJS.ProcessEnv; cleanup: () => void } {
  const { dir, cleanup } = tempDir('arr-lab-doc-');
  for (const entry of readdirSync(ROOT)) if (!WRITTEN.has(entry)) symlinkSync(join(ROOT, entry), join(dir, entry));
  const bin = join(dir, '.bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'arr-lab'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(join(bin, 'arr-lab'), 0o755);
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
  // The docs' promise is for a person's shell: no colour because the output is piped, not because a test asked.
  delete env.NO_COLOR;
  delete env.FORCE_COLOR;
  return { dir, env, cleanup };
}

export interface ShellRun {
  code: number | null;
  output: string;
}

/**
 * Runs a shell block as a script (`bash -e`: the first failing command fails it, and `-x` names it
 * in the output). Whatever the block left running in the background (`serve ... &`) is stopped
 * with SIGTERM when the script ends, and waited for.
 */
export async function runShell(script: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ShellRun> {
  const child = spawn('bash', ['-e', '-o', 'pipefail', '-x', '-c', script], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  signalGroup(child.pid!, 'SIGTERM');
  for (let waited = 0; groupAlive(child.pid!) && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
  signalGroup(child.pid!, 'SIGKILL');
  return { code, output };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `arr-lab <args>` as a process, as the bin runs it. */
export function arrLab(args: string[], cwd = ROOT): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
