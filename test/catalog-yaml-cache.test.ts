import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CATALOG_DIR, loadCatalog } from '../lab/catalog.ts';
import { CatalogYamlCache } from '../lab/catalog-yaml-cache.ts';
import { parseYamlScenario } from '../lab/scenario/load.ts';
import { tempDir } from './helpers.ts';

const BAD = 'name: bad\ndescription: d\nsuites: [x]\nmembers: [{ name: member1 }]\nrequests:\n  - path: /\n    repeat: -1\n';

describe('the catalog YAML cache (dist/catalog-yaml.json, written by the build)', () => {
  it('holds, for every catalog file, exactly what parsing its text gives', async () => {
    const catalog = await loadCatalog();
    const cached = JSON.parse(readFileSync(new URL('../dist/catalog-yaml.json', import.meta.url), 'utf8')) as Record<string, { raw: unknown }>;
    expect(Object.keys(cached).sort()).toEqual(catalog.map((l) => relative(CATALOG_DIR, l.file)).sort());
    for (const l of catalog) expect(cached[relative(CATALOG_DIR, l.file)]!.raw, l.file).toEqual(parseDocument(readFileSync(l.file, 'utf8')).toJS());
  });

  it('answers only for the text it was given, from what an earlier load saved: an edited file is parsed afresh', () => {
    const { dir, cleanup } = tempDir();
    try {
      const store = join(dir, 'cache.json');
      const first = new CatalogYamlCache(dir, store);
      first.remember(join(dir, 'a.yaml'), 'name: a\n', { name: 'a' });
      first.remember(join(dir, 'n.yaml'), 'x: .nan\n', { x: NaN });
      first.save();
      const next = new CatalogYamlCache(dir, store);
      expect(next.lookup(join(dir, 'a.yaml'), 'name: a\n')).toEqual({ raw: { name: 'a' } });
      expect(next.lookup(join(dir, 'a.yaml'), 'name: b\n')).toBeUndefined();
      // JSON would turn NaN into null: such a file is never cached.
      expect(next.lookup(join(dir, 'n.yaml'), 'x: .nan\n')).toBeUndefined();
    } finally {
      cleanup();
    }
  });

  it('a scenario that fails validation from cached data is parsed again, so its problems keep their lines', () => {
    const file = join(CATALOG_DIR, 'bad.yaml');
    const fresh = () => parseYamlScenario(BAD, file);
    const fromCache = () => parseYamlScenario(BAD, file, { raw: parseDocument(BAD).toJS() });
    expect(fresh).toThrow(/line 7: requests\.0\.repeat/);
    expect(fromCache).toThrow(/line 7: requests\.0\.repeat/);
  });
});
