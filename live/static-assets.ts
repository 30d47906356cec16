import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Written from the repository root so it holds in the source (live/) and in the compiled CLI
// (dist/), both one folder below it.
const here = fileURLToPath(new URL('../live/dashboard/', import.meta.url));
const uplot = dirname(createRequire(import.meta.url).resolve('uplot'));

/** The dashboard's files, all local: the page, its script and style, and uPlot from node_modules. */
export const ASSETS: Record<string, { file: string; type: string }> = {
  '/index.html': { file: join(here, 'index.html'), type: 'text/html; charset=utf-8' },
  '/app.js': { file: join(here, 'app.js'), type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: join(here, 'style.css'), type: 'text/css; charset=utf-8' },
  '/vendor/uplot.js': { file: join(uplot, 'uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  '/vendor/uplot.css': { file: join(uplot, 'uPlot.min.css'), type: 'text/css; charset=utf-8' },
};
