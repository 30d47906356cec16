import { existsSync, statSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { InputError } from '../core/input-error.ts';
import { CatalogYamlCache } from './catalog-yaml-cache.ts';
import { loadScenarioFile, parseYamlScenario, type LoadedScenario } from './scenario/load.ts';

import { CATALOG_DIR } from './catalog-dir.ts';

export { CATALOG_DIR };

const SCENARIO_FILE = /\.(ya?ml|ts)$/i;
const YAML_FILE = /\.ya?ml$/i;

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (SCENARIO_FILE.test(entry.name)) out.push(path);
  }
  return out.sort();
}

/** Loads (and so validates) every scenario of the catalog; one bad file fails the whole load. */
export async function loadCatalog(dir = CATALOG_DIR): Promise<LoadedScenario[]> {
  const cache = new CatalogYamlCache(dir);
  const loaded = await Promise.all(
    (await filesUnder(dir)).map(async (f) => {
      if (!YAML_FILE.test(f)) return loadScenarioFile(f);
      const text = await readFile(f, 'utf8');
      const l = parseYamlScenario(text, f, cache.lookup(f, text));
      cache.remember(f, text, l.raw);
      return l;
    }),
  );
  cache.save();
  const seen = new Map<string, string>();
  for (const l of loaded) {
    const other = seen.get(l.scenario.name);
    if (other) throw new InputError(`scenario name "${l.scenario.name}" is used by both ${other} and ${l.file}`);
    seen.set(l.scenario.name, l.file);
  }
  return loaded;
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Every scenario file under a folder, its subfolders included, checked like the catalog (one bad file, or two with one name, fail the lot). */
async function loadFolder(path: string): Promise<LoadedScenario[]> {
  const loaded = await loadCatalog(resolve(path));
  if (loaded.length === 0) throw new InputError(`${path}: no scenario files (.yaml, .yml, .ts) in this folder`);
  return loaded;
}

export function suitesOf(catalog: LoadedScenario[]): string[] {
  return [...new Set(catalog.flatMap((l) => l.scenario.suites)), 'all'].sort();
}

/**
 * Turns command-line targets into scenarios: a path to a scenario file, a folder of scenario files,
 * a suite name (`all` is the whole catalog) or a scenario name from the catalog. Order is kept and a file named twice is
 * taken once; two files with one scenario name are refused, as their folders would collide.
 */
export async function resolveTargets(targets: string[], dir = CATALOG_DIR): Promise<LoadedScenario[]> {
  let catalog: LoadedScenario[] | undefined;
  const out: LoadedScenario[] = [];
  const add = (l: LoadedScenario) => {
    if (!out.some((o) => o.file === l.file)) out.push(l);
  };
  for (const target of targets) {
    if (SCENARIO_FILE.test(target) && existsSync(target)) {
      add(await loadScenarioFile(resolve(target)));
      continue;
    }
    // A folder of one's own scenarios; written as a path, it is never taken for a suite of the same name.
    const folder = isFolder(target);
    if (folder && /[\\/]|^\.\.?$/.test(target)) {
      (await loadFolder(target)).forEach(add);
      continue;
    }
    catalog ??= await loadCatalog(dir);
    const matches = target === 'all' ? catalog : catalog.filter((l) => l.scenario.suites.includes(target) || l.scenario.name === target);
    if (matches.length === 0 && folder) {
      (await loadFolder(target)).forEach(add);
      continue;
    }
    if (matches.length === 0) {
      throw new InputError(`"${target}" is neither a scenario file, a folder of them, a suite (${suitesOf(catalog).join(', ')}) nor a scenario name`);
    }
    matches.forEach(add);
  }
  const byName = new Map<string, string>();
  for (const l of out) {
    const other = byName.get(l.scenario.name);
    if (other) throw new InputError(`two scenarios are named "${l.scenario.name}" (${other} and ${l.file}); each run writes to a folder of that name, so names must differ`);
    byName.set(l.scenario.name, l.file);
  }
  return out;
}
