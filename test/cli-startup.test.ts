import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const dist = new URL('../dist/', import.meta.url);

/** The packages a compiled module loads before it runs, following its static imports (not `import()`). */
function loadedAtStart(entry: string): { packages: Set<string>; files: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(new URL(file, dist), 'utf8');
    for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s*"([^"]+)"|^import\s*"([^"]+)"/gms)) {
      const spec = (m[1] ?? m[2])!;
      if (spec.startsWith('./')) visit(spec.slice(2));
      else if (!spec.startsWith('node:')) packages.add(spec);
    }
  };
  visit(entry);
  return { packages, files };
}

describe('the compiled CLI starts at once', () => {
  it('is built (with source maps) as the tests run it', () => {
    const names = readdirSync(dist);
    expect(names).toContain('arr-lab.mjs');
    expect(names).toContain('arr-lab.mjs.map');
  });

  it('loads only commander (and ms, for durations) before a command runs: help, version and option errors load no lab code', () => {
    const { packages } = loadedAtStart('arr-lab.mjs');
    expect([...packages].sort()).toEqual(['commander', 'ms']);
  });

  it("decode loads neither the lab, the schema nor the HTTP client: the catalog's facts come from the cache", () => {
    const decodeChunks = readdirSync(dist).filter((f) => /^(decode|facts-cache|parse-code)-.*\.mjs$/.test(f));
    expect(decodeChunks.length).toBe(3);
    const packages = new Set(decodeChunks.flatMap((c) => [...loadedAtStart(c).packages]));
    for (const heavy of ['undici', 'zod', 'yaml', 'autocannon']) expect(packages.has(heavy), heavy).toBe(false);
  });
});
