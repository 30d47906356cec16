import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const lock = JSON.parse(readFileSync(new URL('../package-lock.json', import.meta.url), 'utf8')) as {
  packages: Record<string, { optionalDependencies?: Record<string, string>; os?: string[] }>;
};

describe('install', () => {
  it("the lockfile records every platform's optional packages, so npm ci works on any machine", () => {
    // npm ci refuses a lockfile that lacks the optional package of the platform it runs on.
    const missing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      for (const name of Object.keys(entry.optionalDependencies ?? {})) {
        const nested = `${path}/node_modules/${name}`;
        if (!lock.packages[nested] && !lock.packages[`node_modules/${name}`]) missing.push(`${path || '(root)'} → ${name}`);
      }
    }
    expect(missing).toEqual([]);
    const platforms = Object.keys(lock.packages).filter((p) => p.startsWith('node_modules/@rollup/rollup-'));
    expect(platforms).toEqual(expect.arrayContaining(['node_modules/@rollup/rollup-darwin-arm64', 'node_modules/@rollup/rollup-win32-x64-msvc', 'node_modules/@rollup/rollup-linux-x64-gnu']));
  });

  it('the bin runs the compiled CLI, built by prepare into a git-ignored folder', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { scripts: Record<string, string>; dependencies: Record<string, string> };
    expect(pkg.scripts.prepare).toBe('node scripts/build-cli.mjs');
    expect(pkg.dependencies).toHaveProperty('esbuild');
    expect(readFileSync(new URL('../.gitignore', import.meta.url), 'utf8').split('\n')).toContain('dist/');
    expect(readFileSync(new URL('../bin/arr-lab.mjs', import.meta.url), 'utf8')).toContain('../dist/arr-lab.mjs');
    expect(readFileSync(new URL('../.ci/run', import.meta.url), 'utf8')).toMatch(/^npm ci /m);
  });
});
