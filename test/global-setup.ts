import { execFileSync } from 'node:child_process';

/** Tests that spawn `bin/arr-lab.mjs` run the compiled CLI: build it from the source under test first. */
export default function setup(): void {
  execFileSync(process.execPath, [new URL('../scripts/build-cli.mjs', import.meta.url).pathname], { stdio: 'inherit' });
}
