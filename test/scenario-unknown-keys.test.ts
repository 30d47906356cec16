import { describe, expect, it } from 'vitest';
import { httpSysSchema } from '../iis/http-sys/settings.ts';
import { protocolSchema } from '../proxy/farm-config.ts';
import { parseScenario, parseYamlScenario, ScenarioError, type Problem } from '../lab/scenario/load.ts';

/** A misspelt key is reported with its file, line and path, and the keys valid at that place. */
function problems(load: () => unknown): Problem[] {
  try {
    load();
  } catch (err) {
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as ScenarioError).problems;
  }
  throw new Error('the scenario loaded');
}

const yaml = `name: typos
description: one misspelt key at each level a scenario has
suites: [x]
farm:
  protocl:
    timeout: 30
  protocol:
    timout: 00:00:30
members:
  - name: member1
    httpSys: {queueLenght: 10}
    script:
      - route: /
        do:
          - respond: {staus: 500}
requests:
  - path: /
    expect: {client: {stauts: 200}}
  - wiat: 5s
`;

describe('unknown keys in a scenario', () => {
  const found = problems(() => parseYamlScenario(yaml, 'typos.yaml'));
  const at = (path: string) => {
    const p = found.find((x) => x.path === path);
    expect(p, `a problem at ${path}`).toBeDefined();
    return p!;
  };
  const validList = (p: Problem) => /valid keys here: (.*)$/.exec(p.message)?.[1]?.split(', ');

  it('names the file, the line of the key and the key', () => {
    const err = (() => {
      try {
        parseYamlScenario(yaml, 'typos.yaml');
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err!.message).toContain('typos.yaml: invalid scenario');
    expect(err!.message).toContain('line 8: farm.protocol.timout: unknown key "timout" (did you mean "timeout"?)');
    expect(at('farm.protocl').line).toBe(5);
    expect(at('members.0.httpSys.queueLenght').line).toBe(11);
    expect(at('members.0.script.0.do.0.respond.staus').line).toBe(15);
    expect(at('requests.0.expect.client.stauts').line).toBe(18);
    expect(at('requests.1.wiat').line).toBe(19);
  });

  it('lists the keys valid at that level, whatever the level', () => {
    expect(validList(at('farm.protocol.timout'))).toEqual(Object.keys(protocolSchema.shape));
    expect(validList(at('farm.protocl'))).toEqual(['name', 'enabled', 'serverAutoStart', 'passConnectionCloseHeader', 'passServerHeader', 'servers', 'protocol', 'healthCheck', 'affinity', 'loadBalancing', 'lab']);
    expect(validList(at('members.0.httpSys.queueLenght'))).toEqual(Object.keys(httpSysSchema.shape));
    expect(validList(at('members.0.script.0.do.0.respond.staus'))).toEqual(['status', 'headers', 'body', 'bodyBytes']);
    expect(validList(at('requests.0.expect.client.stauts'))).toEqual(['status', 'substatus', 'errorCode', 'description', 'bodyIncludes', 'networkError', 'header']);
    // A step without `path` is an action: the action keys are listed, not the request's.
    expect(validList(at('requests.1.wiat'))).toContain('wait');
    expect(validList(at('requests.1.wiat'))).not.toContain('path');
  });

  it('suggests the nearest key only when it is near', () => {
    expect(at('members.0.httpSys.queueLenght').message).toContain('(did you mean "queueLength"?)');
    const far = problems(() => parseScenario({ name: 'x', description: 'x', suites: ['x'], members: [{ name: 'm', colour: 'red' }], requests: [{ path: '/' }] }, 'x.ts'));
    expect(far).toEqual([{ path: 'members.0.colour', line: undefined, message: 'unknown key "colour"; valid keys here: name, offline, script, httpSys, nonPagedPool' }]);
  });

  it('reports each of several unknown keys in one object', () => {
    const two = problems(() => parseScenario({ name: 'x', description: 'x', suites: ['x'], tags: [], owner: 'me', members: [{ name: 'm' }], requests: [{ path: '/' }] }, 'x.ts'));
    expect(two.map((p) => p.path)).toEqual(['tags', 'owner']);
    expect(two[0]!.message).toMatch(/^unknown key "tags"; valid keys here: name, description, suites, reference, windows, diagnosis, /);
  });
});
