import { describe, expect, it } from 'vitest';
import { scenarioReferenceMarkdown, scenarioSchemaDocument } from '../lab/docs/scenario-reference.ts';
import { actions } from '../lab/scenario/actions/index.ts';
import type { JsonSchema } from '../lab/scenario/json-schema.ts';
import { parseScenario, ScenarioError, type Problem } from '../lab/scenario/load.ts';
import { openApiDocument } from '../live/openapi.ts';

/**
 * Scenario actions are a registry (lab/scenario/actions/): every list of them — the step schema,
 * the loader's messages, the JSON Schema, the reference, the control API, the checks that the
 * hosts an action names exist — is read from it. These tests hold each list to the registry, so
 * a hand-kept list that forgets an action fails here.
 */
const keys = actions.map((a) => a.key);
const base = { name: 'x', description: 'x', suites: ['x'], members: [{ name: 'member1' }] };

function problems(raw: unknown): Problem[] {
  try {
    parseScenario(raw, 'x.yaml');
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as ScenarioError).problems;
  }
  return [];
}

/** A step of `action` that names `host` where the action names hosts. */
function naming(key: string, host: string): Record<string, unknown> {
  const names = actions.find((a) => a.key === key)!.names!;
  return { [key]: names.in === 'items' ? [host] : { [host]: {} } };
}

describe('scenario actions, one registry', () => {
  it('has one entry per key, each described', () => {
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBeGreaterThanOrEqual(20);
    for (const a of actions) expect(a.description, a.key).toMatch(/\S/);
  });

  it('the JSON Schema\'s action step has exactly the registry\'s keys, with their descriptions', () => {
    const doc = scenarioSchemaDocument();
    const action = (doc.properties!.requests!.items!.anyOf as JsonSchema[]).find((b) => !b.properties!.path)!;
    expect(Object.keys(action.properties!)).toEqual(keys);
    for (const a of actions) expect(action.properties![a.key]!.description, a.key).toBe(a.description);
  });

  it('the scenario reference lists every action with its description', () => {
    const md = scenarioReferenceMarkdown();
    for (const a of actions) expect(md, a.key).toContain(`| \`${a.key}\` |`);
    for (const a of actions) expect(md, a.key).toContain(a.description.replace(/\|/g, '\\|'));
  });

  it('the live control API accepts the registry\'s actions', () => {
    const schemas = openApiDocument().components.schemas as Record<string, JsonSchema>;
    expect(Object.keys(schemas.Action!.properties!)).toEqual(keys);
  });

  it('an unknown action key is answered with every registered key', () => {
    const [problem] = problems({ ...base, requests: [{ path: '/' }, { wiat: '5s' }] });
    expect(problem!.path).toBe('requests.1.wiat');
    expect(/valid keys here: (.*)$/.exec(problem!.message)![1]!.split(', ')).toEqual(keys);
  });

  it('two keys in one step are answered with every registered key', () => {
    const found = problems({ ...base, requests: [{ path: '/' }, { wait: '5s', settle: true }] });
    expect(found.map((p) => p.message)).toContain(`an action step has exactly one of: ${keys.join(', ')}`);
  });

  it('every action that names members reports a member the scenario does not have', () => {
    const namers = actions.filter((a) => a.names?.kind === 'member' || a.names?.kind === 'host');
    expect(namers.map((a) => a.key)).toEqual(expect.arrayContaining(['script', 'online', 'offline', 'crash', 'appPool', 'leak', 'fault', 'heal', 'httpSys', 'expectConnections']));
    for (const a of namers) {
      const found = problems({ ...base, runtime: 'containers', requests: [{ path: '/' }, naming(a.key, 'ghost')] });
      const at = a.names!.in === 'items' ? `requests.1.${a.key}.0.ghost` : `requests.1.${a.key}.ghost`;
      expect(found.filter((p) => p.path === at).map((p) => p.message), a.key).toContain('no member named "ghost"');
      const known = problems({ ...base, runtime: 'containers', requests: [{ path: '/' }, naming(a.key, 'member1')] });
      expect(known.filter((p) => p.message.includes('no member named')), a.key).toEqual([]);
    }
  });

  it('the controller counts as a host where an action names hosts, not where it names members', () => {
    for (const a of actions.filter((x) => x.names?.kind === 'member' || x.names?.kind === 'host')) {
      const found = problems({ ...base, runtime: 'containers', requests: [{ path: '/' }, naming(a.key, 'arr')] });
      const reported = found.some((p) => p.message === 'no member named "arr"');
      expect(reported, a.key).toBe(a.names!.kind === 'member');
    }
  });

  it('every action that acts on real hosts asks for runtime: containers', () => {
    const real = actions.filter((a) => a.containersOnly);
    const steps: Record<string, unknown> = { fault: { member1: 'pause' }, heal: ['member1'] };
    expect(real.map((a) => a.key)).toEqual(Object.keys(steps));
    for (const a of real) {
      expect(problems({ ...base, runtime: 'containers', requests: [{ path: '/' }, { [a.key]: steps[a.key] }] }), a.key).toEqual([]);
      const found = problems({ ...base, requests: [{ path: '/' }, { [a.key]: steps[a.key] }] });
      expect(found.find((p) => p.path === 'runtime')?.message, a.key).toBe(`${real.map((x) => x.key).join(' and ')} steps act on containers: add runtime: containers`);
    }
  });
});

describe('actions that name farm servers', () => {
  const servers = actions.filter((a) => a.names?.kind === 'server');
  const value: Record<string, unknown> = { availability: 'Drain', health: 'unhealthy' };
  const step = (key: string, server: string) => ({ [key]: { [server]: value[key] } });

  it('report a server the farm does not have, the farm\'s servers being its members unless listed', () => {
    expect(servers.map((a) => a.key)).toEqual(Object.keys(value));
    for (const a of servers) {
      expect(problems({ ...base, requests: [{ path: '/' }, step(a.key, 'member1')] }), a.key).toEqual([]);
      expect(problems({ ...base, requests: [{ path: '/' }, step(a.key, 'ghost')] }), a.key).toEqual([
        { path: `requests.1.${a.key}.ghost`, line: undefined, message: 'no server "ghost" in the farm (servers: member1)' },
      ]);
      const listed = { ...base, farm: { servers: [{ address: 'web1.contoso.test' }] } };
      expect(problems({ ...listed, requests: [{ path: '/' }, step(a.key, 'WEB1.contoso.test')] }), a.key).toEqual([]);
      expect(problems({ ...listed, requests: [{ path: '/' }, step(a.key, 'member1')] }).map((p) => p.message), a.key).toEqual([
        'no server "member1" in the farm (servers: web1.contoso.test)',
      ]);
    }
  });
});
