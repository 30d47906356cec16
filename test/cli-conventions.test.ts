import { describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };
import { loadCatalog } from '../lab/catalog.ts';
import { arrLab } from './cli-helpers.ts';
import { tempDir } from './helpers.ts';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

describe('CLI conventions: exit codes', () => {
  it('bare arr-lab prints the help and exits 0; --version prints the version', () => {
    const bare = arrLab([]);
    expect(bare.code).toBe(0);
    expect(bare.out).toContain('Usage: arr-lab');
    expect(bare.out).toContain('decode');
    const version = arrLab(['--version']);
    expect(version.code).toBe(0);
    expect(version.out.trim()).toBe(pkg.version);
  });

  it('every usage error exits 2: unknown option, bad or missing value, out-of-range number, bad decode argument', () => {
    const cases: [string[], RegExp][] = [
      [['--bogus'], /unknown option '--bogus'/],
      [['run', '--bogus'], /unknown option '--bogus'/],
      [['run', '--time-scale', '0'], /from 0.0001 to 1/],
      [['load', 'slow-page-timeout', '--connections', '-5'], /from 1 to 1,000/],
      [['load', 'slow-page-timeout', '--connections', '100000'], /from 1 to 1,000/],
      [['load', 'slow-page-timeout', '--connections', '1e9'], /from 1 to 1,000/],
      [['load', 'slow-page-timeout', '--duration', '999999h'], /100ms to 24h/],
      [['load'], /missing required argument/],
      [['fixtures'], /required option '--out <dir>'/],
      [['decode', '99999999'], /neither a Win32 code/],
      [['nonsense-command'], /unknown command/],
    ];
    for (const [args, message] of cases) {
      const r = arrLab(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toMatch(message);
    }
  });
});

describe('CLI conventions: output', () => {
  it('no colour when stdout is not a terminal, nor with NO_COLOR', () => {
    for (const env of [{}, { NO_COLOR: '1', FORCE_COLOR: '1' }]) {
      const r = arrLab(['list'], env);
      expect(r.code).toBe(0);
      expect(r.out).not.toMatch(/\x1b\[/);
    }
  });

  it('list shows every scenario name whole, and --json lists the catalog', async () => {
    const catalog = await loadCatalog();
    const table = arrLab(['list']).out;
    for (const { scenario } of catalog) expect(table).toMatch(new RegExp(`│ ${scenario.name} +│`));
    const json = JSON.parse(arrLab(['list', '--json']).out) as { name: string; suites: string[]; description: string }[];
    expect(json.map((s) => s.name)).toEqual(catalog.map((l) => l.scenario.name));
    expect(json[0]).toHaveProperty('description');
  });

  it("the result row counts every request's outcome; --verbose gives each request its row", () => {
    const { dir, cleanup } = tempDir();
    try {
      const r = arrLab(['run', fixture('mixed-outcomes.yaml'), '--out', dir]);
      expect(r.code, r.out).toBe(0);
      expect(r.out).toMatch(/│ mixed-outcomes +│ 5 +│ 200×3 500×2 +│ 200×3 500×2 +│ pass/);
      const verbose = arrLab(['run', fixture('mixed-outcomes.yaml'), '--out', dir, '--verbose']);
      expect(verbose.code).toBe(0);
      const rows = verbose.out.split('\n').filter((l) => l.startsWith('│ mixed-outcomes'));
      expect(rows).toHaveLength(5);
      expect(rows.filter((l) => /│ 500 +│ 500 +│ pass/.test(l))).toHaveLength(2);
    } finally {
      cleanup();
    }
  });
});
