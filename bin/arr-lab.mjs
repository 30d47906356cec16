#!/usr/bin/env node
// The CLI as compiled at install time (npm's `prepare`: dist/arr-lab.mjs), so it answers at once.
// A checkout that was never installed has no dist/: then the TypeScript source runs through tsx.
import { existsSync } from 'node:fs';

const built = new URL('../dist/arr-lab.mjs', import.meta.url);
if (existsSync(built)) {
  process.setSourceMapsEnabled(true);
  await import(built.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../lab/cli/main.ts');
}
