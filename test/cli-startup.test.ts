import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dist = new URL('../dist/', import.meta.url);

/**
 * What a compiled module runs before its command does: the source modules (esbuild heads each
 * with a `// path` comment) and the packages it imports, following static imports only, not `import()`.
 */
function loadedAtStart(entry: string): { sources: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const sources = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(new URL(file, dist), 'utf8');
    for (const m of text.matchAll(/^\/\/ ((?:node_modules|lab|core|iis|proxy|backends)\/\S+)$/gm)) sources.add(m[1]!);
    for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s*"([^"]+)"|^import\s*"([^"]+)"/gms)) {
      const spec = (m[1] ?? m[2])!;
      if (spec.startsWith('./')) visit(spec.slice(2));
      else if (!spec.startsWith('node:')) packages.add(spec);
    }
  };
  visit(entry);
  return { sources, packages };
}

const packageOf = (source: string) => /^node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source)?.[1];

describe('the compiled CLI starts at once', () => {
  it('is built (with source maps) as the tests run it', () => {
    const names = readdirSync(dist);
    expect(names).toContain('arr-lab.mjs');
    expect(names).toContain('arr-lab.mjs.map');
  });

  it('loads only commander (and ms, for durations) before a command runs: help, version and option errors load no lab code', () => {
    const { sources, packages } = loadedAtStart('arr-lab.mjs');
    expect(packages.size).toBe(0);
    expect([...new Set([...sources].map(packageOf).filter(Boolean))].sort()).toEqual(['commander', 'ms']);
    expect([...sources].filter((s) => !s.startsWith('node_modules/')).sort()).toEqual([
      'core/duration.ts', 'core/input-error.ts', 'lab/cli/config.ts', 'lab/cli/decode.ts', 'lab/cli/exit.ts', 'lab/cli/fixtures.ts', 'lab/cli/interrupts.ts',
      'lab/cli/list.ts', 'lab/cli/load.ts', 'lab/cli/main.ts', 'lab/cli/options.ts', 'lab/cli/run.ts', 'lab/decode/evidence.ts', 'lab/load/limits.ts', 'lab/output-folder.ts',
    ]);
  });

  it("decode loads neither the lab, the schema nor the HTTP client: the catalog's facts come from the cache", () => {
    const decodeChunks = readdirSync(dist).filter((f) => /^(decode|facts-cache|parse-code)-.*\.mjs$/.test(f));
    expect(decodeChunks.length).toBe(3);
    const loaded = decodeChunks.map((c) => loadedAtStart(c));
    const packages = new Set(loaded.flatMap((l) => [...l.packages, ...[...l.sources].map(packageOf)]));
    for (const heavy of ['undici', 'zod', 'yaml', 'autocannon']) expect(packages.has(heavy), heavy).toBe(false);
    expect(loaded.some((l) => l.sources.has('lab/lab.ts'))).toBe(false);
  });
});
