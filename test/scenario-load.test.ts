import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCatalog, resolveTargets } from '../lab/catalog.ts';
import { ScenarioError, loadScenarioFile, parseYamlScenario } from '../lab/scenario/load.ts';
import { requestBody, type ScenarioRequest } from '../lab/scenario/schema.ts';
import { tempDir } from './helpers.ts';

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

  it('keeps bodyBytes as a count: loading the catalog builds no filler body (send-timeout asks for 8 MiB)', async () => {
    const sendTimeout = (await loadCatalog()).find((l) => l.scenario.name === 'send-timeout')!;
    const [step] = sendTimeout.scenario.requests;
    expect(step!.kind).toBe('request');
    const request = (step as { request: ScenarioRequest }).request;
    expect(request).toMatchObject({ bodyBytes: 8 * 1024 * 1024 });
    expect(request.body).toBeUndefined();
    // Made when sent, byte for byte what the count asks for.
    expect(requestBody(request)).toHaveLength(8 * 1024 * 1024);
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

  it('loads a TypeScript scenario kept outside the repository, in a folder that is no ES module package', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const schema = new URL('../lab/scenario/schema.ts', import.meta.url).pathname;
      writeFileSync(join(dir, 'mine.ts'), readFileSync(fixture('typescript-scenario.ts'), 'utf8').replace('../../lab/scenario/schema.ts', schema));
      const loaded = await loadScenarioFile(join(dir, 'mine.ts'));
      expect(loaded.scenario.name).toBe('typescript-scenario');
    } finally {
      cleanup();
    }
  });

  it('runs a folder of one\'s own scenarios as a target, checked like the catalog', async () => {
    const { dir, cleanup } = tempDir();
    try {
      mkdirSync(join(dir, 'mine', 'more'), { recursive: true });
      copyFileSync(fixture('wrong-expectation.yaml'), join(dir, 'mine', 'a.yaml'));
      copyFileSync(fixture('load-fast.yaml'), join(dir, 'mine', 'more', 'b.yaml'));
      const names = (await resolveTargets([join(dir, 'mine')])).map((l) => l.scenario.name);
      expect(names.sort()).toEqual(['load-fast', 'wrong-expectation']);
      mkdirSync(join(dir, 'empty'));
      await expect(resolveTargets([join(dir, 'empty')])).rejects.toThrow(/empty: no scenario files/);
      copyFileSync(fixture('wrong-expectation.yaml'), join(dir, 'mine', 'more', 'again.yaml'));
      await expect(resolveTargets([join(dir, 'mine')])).rejects.toThrow(/scenario name "wrong-expectation" is used by both/);
    } finally {
      cleanup();
    }
  });

  it('says a key is missing, and that YAML made an unquoted hex code a number', () => {
    const text = 'name: x\nsuites: [mine]\nmembers: [{ name: member1 }]\nrequests:\n  - path: /\n    expect:\n      client: { status: 502, errorCode: 0x80072EE2 }\n';
    let problems: { path: string; line?: number; message: string }[] = [];
    try {
      parseYamlScenario(text, 'mine.yaml');
    } catch (err) {
      problems = (err as ScenarioError).problems;
    }
    expect(problems).toEqual([
      { path: 'description', line: 1, message: 'required: string expected, and the key is missing' },
      { path: 'requests.0.expect.client.errorCode', line: 7, message: 'YAML read this hex code as the number 2147954402: quote it, in lower case ("0x80072ee2")' },
    ]);
  });

  it('validates the whole built-in catalog', async () => {
    const catalog = await loadCatalog();
    expect(catalog.map((l) => l.scenario.name)).toEqual(expect.arrayContaining([
      'slow-page-timeout', 'slow-page-timeout-raised', 'response-close', 'partial-flush-close', 'all-members-unavailable', 'member-offline',
    ]));
  });
});
