// PID 1 of a member container: runs the member process and survives it, so "the worker died but
// the host is up" is a real fault (the port refuses, the container and its address stay).
// SIGUSR2 kills the member process (SIGKILL, no clean-up: a crash); SIGUSR1 starts it again;
// SIGTERM stops it cleanly and exits. Plain JavaScript: it needs no loader of its own.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MEMBER = fileURLToPath(new URL('./member-process.ts', import.meta.url));
let child;
let stopping = false;

function start() {
  child = spawn(process.execPath, ['--import', 'tsx', MEMBER], { stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    console.log(`arr-lab supervisor: member process exited (${signal ?? code})`);
    child = undefined;
    if (stopping) process.exit(0);
  });
}

process.on('SIGUSR2', () => child?.kill('SIGKILL'));
process.on('SIGUSR1', () => {
  if (!child) start();
});
process.on('SIGTERM', () => {
  stopping = true;
  if (child) child.kill('SIGTERM');
  else process.exit(0);
});
// Signal handlers alone do not keep node alive while no member process runs.
setInterval(() => {}, 1 << 30);
start();
