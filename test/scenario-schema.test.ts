import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { scenarioReferenceMarkdown, scenarioSchemaText, staleDescriptions, undocumentedKeys } from '../lab/docs/scenario-reference.ts';

/**
 * docs/scenario.schema.json (for editors) and docs/scenarios.md (for readers) are generated from
 * the zod schema by `npm run schema`; they must be what the generator makes now, describe every
 * key, and accept every scenario the catalog holds (an editor must never flag a valid file).
 */
const ROOT = join(import.meta.dirname, '..');
const committed = (file: string) => readFileSync(join(ROOT, 'docs', file), 'utf8');

function* yamlFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* yamlFiles(path);
    else if (/\.ya?ml$/.test(entry.name)) yield path;
  }
}

describe('scenario JSON Schema and reference', () => {
  it('docs/scenario.schema.json is current (run `npm run schema`)', () => {
    expect(committed('scenario.schema.json') === scenarioSchemaText(), 'docs/scenario.schema.json is out of date: run npm run schema').toBe(true);
  });

  it('docs/scenarios.md is current (run `npm run schema`)', () => {
    expect(committed('scenarios.md') === `${scenarioReferenceMarkdown()}\n`, 'docs/scenarios.md is out of date: run npm run schema').toBe(true);
  });

  it('describes every key, and no key that is gone', () => {
    expect(undocumentedKeys()).toEqual([]);
    expect(staleDescriptions()).toEqual([]);
  });

  const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, allowUnionTypes: true });
  const validate = ajv.compile(JSON.parse(committed('scenario.schema.json')) as object);

  it('accepts every scenario of the catalog', () => {
    const files = [...yamlFiles(join(ROOT, 'scenarios'))];
    expect(files.length).toBeGreaterThan(40);
    const rejected = files.flatMap((file) =>
      validate(parse(readFileSync(file, 'utf8'))) ? [] : [`${file}: ${ajv.errorsText(validate.errors)}`],
    );
    expect(rejected).toEqual([]);
  });

  it('a scenario\'s yaml-language-server line points at docs/scenario.schema.json (scripts/add-schema-line.sh)', () => {
    for (const file of yamlFiles(join(ROOT, 'scenarios'))) {
      const m = /^# yaml-language-server: \$schema=(\S+)/.exec(readFileSync(file, 'utf8'));
      if (m) expect(resolve(dirname(file), m[1]!), file).toBe(join(ROOT, 'docs', 'scenario.schema.json'));
    }
  });

  it('flags what an editor should: a misspelt key, a bad value, an unknown behaviour', () => {
    const base = { name: 'x', description: 'x', suites: ['x'], members: [{ name: 'member1' }], requests: [{ path: '/' }] };
    expect(validate(base)).toBe(true);
    expect(validate({ ...base, farm: { protocol: { timout: '00:00:30' } } })).toBe(false);
    expect(validate({ ...base, farm: { loadBalancing: { algorithm: 'RoundRobin' } } })).toBe(false);
    expect(validate({ ...base, members: [{ name: 'member1', script: [{ do: ['sleep-forever'] }] }] })).toBe(false);
    expect(validate({ ...base, members: [{ name: 'member1', script: [{ do: [{ respond: { staus: 500 } }] }] }] })).toBe(false);
    expect(validate({ ...base, requests: [{ path: '/' }, { wait: '5s', settle: true }] })).toBe(false);
    expect(validate({ ...base, members: [{ name: 'member1', httpSys: { queueLenght: 10 } }] })).toBe(false);
  });
});
