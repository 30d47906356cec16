import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.ts';

const bin = new URL('../bin/arr-lab.mjs', import.meta.url).pathname;
const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

function arrLab(...args: string[]) {
  return arrLabWith({}, ...args);
}

function arrLabWith(env: NodeJS.ProcessEnv, ...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('arr-lab CLI', () => {
  it('runs the seeds suite, prints the table and exits 0', () => {
    const { dir, cleanup } = tempDir();
    try {
      const r = arrLab('run', 'seeds', '--out', dir);
      expect(r.err).toBe('');
      expect(r.code).toBe(0);
      for (const name of ['slow-page-timeout', 'response-close', 'member-offline']) expect(r.out).toContain(name);
      expect(r.out).toContain('502.3 0x80072ee2');
      expect(r.out).toContain('6/6 scenarios passed');
      expect(existsSync(join(dir, 'slow-page-timeout', 'manifest.json'))).toBe(true);
      expect(existsSync(join(dir, 'slow-page-timeout', 'member1', 'inetpub', 'logs', 'LogFiles', 'W3SVC1'))).toBe(true);
    } finally {
      cleanup();
    }
  });

  it('prints JSON with --json and exits 1 when an expectation does not hold', () => {
    const { dir, cleanup } = tempDir();
    try {
      const r = arrLab('run', fixture('wrong-expectation.yaml'), fixture('typescript-scenario.ts'), '--out', dir, '--json');
      expect(r.code).toBe(1);
      const json = JSON.parse(r.out);
      expect(json.passed).toBe(false);
      const byName = Object.fromEntries(json.scenarios.map((s: { name: string; passed: boolean }) => [s.name, s.passed]));
      expect(byName).toEqual({ 'wrong-expectation': false, 'typescript-scenario': true });
    } finally {
      cleanup();
    }
  });

  it('without a Docker engine, runs the rest and names the container scenarios it could not start', () => {
    const { dir, cleanup } = tempDir();
    try {
      // An engine address nothing answers on, whatever this machine has running.
      const r = arrLabWith({ DOCKER_HOST: 'tcp://127.0.0.1:9' }, 'run', 'container-healthy', 'slow-page-timeout', '--out', dir, '--json');
      expect(r.err).toBe('');
      expect(r.code).toBe(1);
      const json = JSON.parse(r.out);
      expect(json.passed).toBe(false);
      expect(json.notRun).toEqual(['container-healthy']);
      expect(json.noContainers).toContain('no Docker engine answers');
      expect(json.scenarios.map((s: { name: string; passed: boolean }) => [s.name, s.passed])).toEqual([['slow-page-timeout', true]]);
      expect(existsSync(join(dir, 'container-healthy'))).toBe(false);
    } finally {
      cleanup();
    }
  });

  it('refuses a bad scenario before starting anything, naming file and line', () => {
    const { dir, cleanup } = tempDir();
    try {
      const r = arrLab('run', fixture('bad-behaviour.yaml'), '--out', join(dir, 'never'));
      expect(r.code).toBe(2);
      expect(r.err).toContain('bad-behaviour.yaml');
      expect(r.err).toContain('line 10');
      expect(existsSync(join(dir, 'never'))).toBe(false);
    } finally {
      cleanup();
    }
  });

  it('lists the catalog and the behaviours, and rejects unknown targets', () => {
    expect(arrLab('list').out).toContain('slow-page-timeout');
    expect(arrLab('list', '--behaviours').out).toContain('flush-then-close');
    const r = arrLab('run', 'nonsense');
    expect(r.code).toBe(2);
    expect(r.err).toContain('neither a scenario file, a folder of them, a suite');
    expect(arrLab('run', '--time-scale', '0').code).not.toBe(0);
  });
});
