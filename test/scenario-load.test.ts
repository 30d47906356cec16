import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../lab/catalog.ts';
import { ScenarioError, loadScenarioFile } from '../lab/scenario/load.ts';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

async function problems(name: string) {
  try {
    await loadScenarioFile(fixture(name));
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    const e = err as ScenarioError;
    expect(e.message).toContain(fixture(name));
    return e.problems;
  }
  throw new Error(`${name} loaded without error`);
}

describe('scenario loading', () => {
  it('names the file, the line and the path of an unknown behaviour', async () => {
    const p = await problems('bad-behaviour.yaml');
    expect(p).toEqual([expect.objectContaining({ path: 'members.0.script.0.do.1', line: 10, message: expect.stringContaining('unknown behaviour "teleport"') })]);
  });

  it('reports a YAML syntax error with its line', async () => {
    const p = await problems('bad-yaml.yaml');
    expect(p[0]!.line).toBe(6);
  });

  it('reports every mistake in one go, each with its path', async () => {
    const p = await problems('bad-expect.yaml');
    const byPath = Object.fromEntries(p.map((x) => [x.path, x]));
    expect(byPath['requests.0.expect.client.errorCode']!.line).toBe(9);
    expect(byPath['requests.0.expect.members.member9']!.message).toContain('no member named "member9"');
    expect(byPath['requests.1.path']!.line).toBe(12);
  });

  it('loads TypeScript scenarios through the same schema', async () => {
    const loaded = await loadScenarioFile(fixture('typescript-scenario.ts'));
    expect(loaded.scenario.farm.protocol.timeout).toBe(10_000);
    expect(loaded.scenario.requests[0]).toMatchObject({ kind: 'request', request: { method: 'GET', as: 'client' } });
  });

  it('validates the whole built-in catalog', async () => {
    const catalog = await loadCatalog();
    expect(catalog.map((l) => l.scenario.name)).toEqual(expect.arrayContaining([
      'slow-page-timeout', 'slow-page-timeout-raised', 'response-close', 'partial-flush-close', 'all-members-unavailable', 'member-offline',
    ]));
  });
});
