import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Up and back into iis/: the same path from the source (iis/) and from the compiled CLI (dist/).
const CHILD = fileURLToPath(new URL('../iis/log-guard-child.mjs', import.meta.url));

let guard: ChildProcess | undefined;

/**
 * Linux stops copying a large write(2) at a page boundary when SIGKILL arrives, so a process
 * killed while appending leaves a file ending in part of a line, and nothing in that process
 * runs afterwards to repair it. A small helper process outside it does: it is told which files
 * are being appended to, and when the pipe from this process ends (however it ended) it cuts any
 * half-written last line off those files. It is detached from the process group, so the Ctrl-C
 * or group kill that ends the lab does not end it first; it exits once it has looked.
 */
function theGuard(): ChildProcess {
  if (guard) return guard;
  guard = spawn(process.execPath, [CHILD], { stdio: ['pipe', 'ignore', 'inherit'], detached: true });
  // Failing to start the guard must not stop the lab: the files are still written whole unless killed.
  guard.on('error', () => {});
  guard.stdin!.on('error', () => {});
  guard.unref();
  (guard.stdin as unknown as { unref(): void }).unref();
  return guard;
}

/** Watches `file` from before its first write until it is released. */
export function guardFile(file: string): void {
  theGuard().stdin!.write(`+${file}\n`);
}

/** The file's log is closed and flushed: the guard forgets it (it may become someone else's). */
export function releaseFile(file: string): void {
  guard?.stdin!.write(`-${file}\n`);
}
