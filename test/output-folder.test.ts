import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOG_DIR } from '../lab/catalog.ts';
import { MARKER } from '../lab/output-folder.ts';
import { arrLab, filesUnder } from './cli-helpers.ts';
import { tempDir } from './helpers.ts';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

describe('--out never destroys what the user owns', () => {
  it('refuses a non-empty folder the lab did not create, for run, fixtures and load, and touches nothing in it', () => {
    const { dir, cleanup } = tempDir();
    try {
      const mine = join(dir, 'mine');
      mkdirSync(join(mine, 'slow-page-timeout'), { recursive: true });
      writeFileSync(join(mine, 'notes.txt'), 'my notes');
      writeFileSync(join(mine, 'slow-page-timeout', 'keep.txt'), 'keep');
      for (const args of [['run', 'slow-page-timeout', '--out', mine], ['fixtures', '--suite', 'seeds', '--out', mine], ['load', 'load-slow-member', '--amount', '20', '--out', mine]]) {
        const r = arrLab(args);
        expect(r.code, args[0]).toBe(2);
        expect(r.err, args[0]).toContain('was not created by arr-lab');
        expect(filesUnder(mine).sort(), args[0]).toEqual(['notes.txt', 'slow-page-timeout/keep.txt']);
      }
    } finally {
      cleanup();
    }
  });

  it('reruns into its own folder, replacing only the files it wrote', () => {
    const { dir, cleanup } = tempDir();
    try {
      const out = join(dir, 'runs');
      expect(arrLab(['run', 'slow-page-timeout', '--out', out]).code).toBe(0);
      expect(existsSync(join(out, MARKER))).toBe(true);
      const scenarioDir = join(out, 'slow-page-timeout');
      const first = JSON.parse(readFileSync(join(scenarioDir, MARKER), 'utf8')) as { state: string; files: string[] };
      expect(first.state).toBe('complete');
      expect(first.files).toContain('manifest.json');
      writeFileSync(join(scenarioDir, 'my-analysis.txt'), 'mine');
      expect(arrLab(['run', 'slow-page-timeout', '--out', out]).code).toBe(0);
      expect(readFileSync(join(scenarioDir, 'my-analysis.txt'), 'utf8')).toBe('mine');
      const second = JSON.parse(readFileSync(join(scenarioDir, MARKER), 'utf8')) as { files: string[] };
      expect(second.files).toEqual(first.files);
      // The logs were replaced, not appended to: one request, one line.
      const w3c = first.files.find((f) => f.startsWith('member1/') && f.includes('W3SVC'))!;
      expect(readFileSync(join(scenarioDir, w3c), 'utf8').split('\r\n').filter((l) => l && !l.startsWith('#'))).toHaveLength(1);
    } finally {
      cleanup();
    }
  });

  it('load --out into its own folder from before keeps what the user added there', () => {
    const { dir, cleanup } = tempDir();
    try {
      const out = join(dir, 'load');
      const first = arrLab(['load', fixture('load-fast.yaml'), '--out', out, '--json']);
      expect(first.code, first.err).toBe(0);
      writeFileSync(join(out, 'ticket-1234.txt'), 'mine');
      const again = arrLab(['load', fixture('load-fast.yaml'), '--out', out, '--json']);
      expect(again.code, again.err).toBe(0);
      expect(readFileSync(join(out, 'ticket-1234.txt'), 'utf8')).toBe('mine');
    } finally {
      cleanup();
    }
  });

  it('refuses two scenarios with one name in a run', () => {
    const { dir, cleanup } = tempDir();
    try {
      const copy = join(dir, 'copy.yaml');
      copyFileSync(join(CATALOG_DIR, 'seeds', 'slow-page-timeout.yaml'), copy);
      const r = arrLab(['run', 'slow-page-timeout', copy, '--out', join(dir, 'out')]);
      expect(r.code).toBe(2);
      expect(r.err).toContain('two scenarios are named "slow-page-timeout"');
      expect(existsSync(join(dir, 'out'))).toBe(false);
    } finally {
      cleanup();
    }
  });

  it('fails at once on a folder it cannot or must not write', () => {
    for (const args of [['load', 'load-slow-member', '--out', '/proc/x'], ['run', 'slow-page-timeout', '--out', '/proc/x'], ['run', 'slow-page-timeout', '--out', '/dev/null']]) {
      const r = arrLab(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(/--out \/(proc|dev)/);
    }
  });
});
