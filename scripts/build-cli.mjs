// Compiles the CLI to JavaScript (dist/arr-lab.mjs and its chunks, with source maps) so that
// `arr-lab` starts without compiling TypeScript first. Run by npm's `prepare` (npm install / ci)
// and before the tests. Dependencies are bundled too (Node resolving and reading hundreds of
// package files cost a fifth of a second per start), except those that load files of their own at
// run time: tsx and esbuild (.ts scenarios), testcontainers (dockerode's ssh2 loads native addons;
// container mode only). autocannon is bundled: only its `workers` option loads a file of its own
// (lib/worker.js), and the lab never sets it; bundled, the first load scenario of a run starts
// about 60 ms of CPU sooner than with Node resolving its ~90 modules.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export async function buildCli() {
  // The build's own folder: chunk names carry hashes, so old ones would pile up beside the new.
  rmSync(new URL('../dist/', import.meta.url), { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: { 'arr-lab': 'lab/cli/main.ts' },
    outdir: 'dist',
    // Each command's code is its own chunk, loaded when that command runs.
    splitting: true,
    // Beside the entry: code that finds files by import.meta.url sits one folder below the root, as in the source.
    chunkNames: '[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    external: ['tsx', 'esbuild', 'testcontainers'],
    // Bundled CommonJS packages call require() for Node's own modules.
    banner: { js: "import { createRequire as __arrLabRequire } from 'node:module'; const require = __arrLabRequire(import.meta.url);" },
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
  });
  // The first decode reads the whole catalog; do it now so that the first one a person types is quick.
  spawnSync(process.execPath, ['dist/arr-lab.mjs', 'decode', '12002'], { cwd: root, stdio: 'ignore' });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli();
