import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { childrenOf, whenGone } from './cli-helpers.ts';
import { tempDir } from './helpers.ts';

const WRITER = new URL('./fixtures/log-writer.ts', import.meta.url).pathname;

/** Starts a writer appending to `dir`, kills it outright `delay` ms after its first flush, and waits for its log guard to finish. */
async function killWhileWriting(dir: string, delay: number): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const closed = new Promise((r) => child.once('close', r));
  await new Promise((resolve, reject) => {
    child.stdout!.once('data', resolve);
    child.once('exit', (code) => reject(new Error(`the writer exited (${code}) before writing`)));
  });
  const guards = childrenOf(child.pid!, 'log-guard-child');
  try {
    expect(guards).toHaveLength(1);
    await new Promise((r) => setTimeout(r, delay));
  } finally {
    child.kill('SIGKILL');
    await closed;
  }
  await whenGone(guards);
}

/** The file holds its directive and then lines 0, 1, 2 … each whole, each ending in CRLF. */
function wholeLines(file: string, first: number): number {
  const text = readFileSync(file, 'latin1');
  expect(text.endsWith('\r\n'), file).toBe(true);
  const lines = text.slice(0, -2).split('\r\n');
  expect(lines[0], file).toBe('#Fields: n text');
  const payload = 'x'.repeat(8 * 1024);
  lines.slice(1).forEach((line, i) => expect(line === `${first + i} ${payload}`, `${file} line ${i + 2}`).toBe(true));
  return first + lines.length - 1;
}

describe('log guard', () => {
  // Without the guard about one kill in three leaves a file ending in part of a line (16 kills: all whole by chance 0.3 % of the time).
  it('a process killed outright at any moment leaves every log file in whole lines', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const runs = Array.from({ length: 16 }, (_, i) => join(dir, String(i)));
      for (let round = 0; round < runs.length; round += 4) {
        await Promise.all(runs.slice(round, round + 4).map((run) => (mkdirSync(run), killWhileWriting(run, Math.random() * 80))));
      }
      for (const run of runs) {
        const files = readdirSync(run).sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]));
        let next = 0;
        for (const f of files) next = wholeLines(join(run, f), next);
        expect(next).toBeGreaterThan(0);
      }
    } finally {
      cleanup();
    }
  }, 60_000);
});
