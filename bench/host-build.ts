import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/**
 * Where compiled hosts go (not committed): one folder below the root, as dist/ is, because lab code
 * finds the catalog and its helper scripts relative to its own file.
 */
export const COMPILED_HOSTS = fileURLToPath(new URL('../dist-bench/', import.meta.url));

const built = new Map<string, Promise<string>>();

/**
 * bench/hosts/<name>.ts compiled to one JavaScript file, as `arr-lab` runs the lab (dist/, built by
 * esbuild at install time), so the bench measures the code users run. Running the hosts under tsx
 * instead costs ~20 % more CPU per request: tsx compiles with esbuild's keepNames, which wraps every
 * closure made per request in a call that defines its `name`. Built once per bench process.
 */
export function compiledHost(name: string): Promise<string> {
  let file = built.get(name);
  if (!file) {
    file = build({
      absWorkingDir: ROOT,
      entryPoints: { [name]: `bench/hosts/${name}.ts` },
      outdir: COMPILED_HOSTS,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      // Packages stay where they are: their frames keep their node_modules paths in profiles.
      packages: 'external',
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // Profiles map compiled frames back to the project's files through it (bench/profiles.ts).
      sourcemap: true,
      logLevel: 'warning',
    }).then(() => `${COMPILED_HOSTS}${name}.mjs`);
    built.set(name, file);
  }
  return file;
}
