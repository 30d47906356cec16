import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { LiveApiClient } from '../live/api-client.ts';
import { tempDir } from './helpers.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'arr-lab.mjs');

describe('arr-lab serve', () => {
  it('prints one JSON line to drive it by, serves the API, and stops on SIGINT (exit 130) with its logs complete', async () => {
    const { dir, cleanup } = tempDir();
    const out = join(dir, 'lab');
    try {
      const child = spawn(process.execPath, [BIN, 'serve', '--json', '--out', out, '--time-scale', '0.01'], { stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const first = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once('line', resolve));
      const info = JSON.parse(first) as { dashboard: string; api: string; token: string; arr: string };
      expect(info.dashboard).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
      expect(info.arr).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const api = new LiveApiClient(info.api.replace(/\/api$/, ''), info.token);
      expect((await api.farm()).servers).toHaveLength(3);
      expect((await api.send({ path: '/served' })).client.status).toBe(200);
      const zip = unzipSync(new Uint8Array(await (await fetch(`${info.api}/bundle?token=${info.token}`)).arrayBuffer()));
      const w3c = Object.keys(zip).filter((f) => f.startsWith('arr/inetpub/logs/LogFiles/W3SVC1/'));
      expect(w3c).toHaveLength(1);
      expect(Object.keys(zip).some((f) => f.includes('.arr-lab-output'))).toBe(false);
      expect(Buffer.from(zip[w3c[0]!]!).toString()).toContain('GET /served');
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      const logDir = join(out, 'arr', 'inetpub', 'logs', 'LogFiles', 'W3SVC1');
      const text = readdirSync(logDir).map((f) => readFileSync(join(logDir, f), 'utf8')).join('');
      expect(text).toContain('GET /served');
    } finally {
      cleanup();
    }
  });

  it('refuses a folder that is not empty, and says so (exit 2), touching nothing', async () => {
    const { dir, cleanup } = tempDir();
    try {
      mkdirSync(join(dir, 'mine'));
      writeFileSync(join(dir, 'mine', 'notes.txt'), 'keep');
      const child = spawn(process.execPath, [BIN, 'serve', '--out', join(dir, 'mine')], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr.on('data', (c) => (err += c));
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(2);
      expect(err).toContain('is not empty and was not created by arr-lab');
      expect(readdirSync(join(dir, 'mine'))).toEqual(['notes.txt']);
      const bad = spawn(process.execPath, [BIN, 'serve', '--time-scale', '5'], { stdio: ['ignore', 'pipe', 'pipe'] });
      expect(await new Promise<number | null>((resolve) => bad.on('exit', resolve))).toBe(2);
      expect(existsSync(join(dir, 'mine', 'arr'))).toBe(false);
    } finally {
      cleanup();
    }
  });
});
