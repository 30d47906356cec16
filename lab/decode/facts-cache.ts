import { existsSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CATALOG_DIR } from '../catalog-dir.ts';
import type { ExpectFact } from './catalog-facts.ts';

const ROOT = dirname(CATALOG_DIR.replace(/[\\/]$/, ''));
/** Beside the compiled CLI (git-ignored); without a build there is no cache and every call reads the catalog. */
const CACHE = join(ROOT, 'dist', 'catalog-facts.json');
/** What the facts are made from: the catalog's files, and the code that reads them. */
const SOURCES = [CATALOG_DIR, join(ROOT, 'lab', 'scenario'), join(ROOT, 'lab', 'decode', 'catalog-facts.ts')];

function stamps(path: string): string[] {
  const s = statSync(path);
  if (!s.isDirectory()) return [`${path} ${s.size} ${s.mtimeMs}`];
  return readdirSync(path).sort().flatMap((name) => stamps(join(path, name)));
}

/**
 * The catalog's expectation facts for `decode`. Reading and validating every scenario takes far
 * longer than decoding a code, so the facts are kept beside the compiled CLI under a key made of
 * every source file's size and modification time: any edit to a scenario reads the catalog afresh.
 */
export async function catalogFacts(): Promise<ExpectFact[]> {
  const key = stamps(SOURCES[0]!).concat(...SOURCES.slice(1).filter(existsSync).map(stamps)).join('\n');
  try {
    const cached = JSON.parse(readFileSync(CACHE, 'utf8')) as { key: string; facts: ExpectFact[] };
    if (cached.key === key) return cached.facts;
  } catch {
    // No cache yet, or one cut short: read the catalog.
  }
  const [{ loadCatalog }, { expectationFacts }] = await Promise.all([import('../catalog.ts'), import('./catalog-facts.ts')]);
  const facts = expectationFacts(await loadCatalog());
  if (existsSync(dirname(CACHE))) {
    try {
      writeFileSync(`${CACHE}.tmp`, JSON.stringify({ key, facts }));
      renameSync(`${CACHE}.tmp`, CACHE);
    } catch {
      // A read-only install still decodes; it only reads the catalog each time.
    }
  }
  return facts;
}
