import { describe, expect, it } from 'vitest';
import { readApplicationHostConfig } from '../proxy/application-host-config.ts';
import { parseScenario, ScenarioError } from '../lab/scenario/load.ts';

const base = (over: Record<string, unknown> = {}, script: unknown[] = [{ route: '/', do: [{ respond: {} }] }]) => ({
  name: 'bounds', description: 'bounds', suites: ['test'], members: [{ name: 'member1', script }], requests: [{ path: '/' }], ...over,
});

function problems(raw: unknown): string[] {
  try {
    parseScenario(raw, 'bounds.yaml');
  } catch (err) {
    if (err instanceof ScenarioError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}

function xmlProblem(attribute: string): string {
  const xml = `<webFarms><webFarm name="f"><server address="member1" /><applicationRequestRouting><protocol ${attribute} /></applicationRequestRouting></webFarm></webFarms>`;
  try {
    readApplicationHostConfig(xml, 'farm.config');
  } catch (err) {
    return (err as Error).message;
  }
  return '';
}

describe('bounds on every input, with the allowed range in the message', () => {
  it('a sleep, a wait or a DNS delay longer than a day is refused', () => {
    expect(problems(base({}, [{ route: '/', do: [{ sleep: '999999h' }, { respond: {} }] }]))).toEqual([
      'members.0.script.0.do.0.sleep: "999999h" is out of range: 0 to 1.00:00:00 (a day)',
    ]);
    expect(problems(base({ requests: [{ path: '/' }, { wait: '25h' }] }))[0]).toMatch(/requests\.1\.wait: "25h" is out of range: 0 to 1\.00:00:00/);
    expect(problems(base({}, [{ route: '/', do: [{ sleep: '24h' }, { respond: {} }] }]))).toEqual([]);
  });

  it('an inline farm timeout is held to the same range as in applicationHost.config', () => {
    for (const value of ['00:00:00', '1.00:00:01']) {
      const inline = problems(base({ farm: { protocol: { timeout: value } } }));
      expect(inline, value).toEqual(['farm.protocol.timeout: out of range: 00:00:01 to 1.00:00:00']);
      expect(xmlProblem(`timeout="${value}"`), value).toContain('out of range: 00:00:01 to 1.00:00:00');
    }
    expect(problems(base({ farm: { protocol: { timeout: '999999h' } } }))[0]).toMatch(/farm\.protocol\.timeout: .*out of range/);
    expect(problems(base({ farm: { affinity: { timeout: '00:00:30' } } }))).toEqual(['farm.affinity.timeout: out of range: 00:01:00 to 30.00:00:00 in steps of 60 s']);
    expect(problems(base({ farm: { healthCheck: { timeout: 0 } } }))).toEqual(['farm.healthCheck.timeout: out of range: 00:00:01 to 1.00:00:00']);
  });

  it("a load section's connections, amount and rate are held to the CLI's ranges", () => {
    const load = (l: Record<string, unknown>) => problems(base({ load: l }));
    expect(load({ connections: 100_000, amount: 100_000 })[0]).toMatch(/load\.connections: .*1000/);
    expect(load({ amount: 1e9 })[0]).toMatch(/load\.amount: .*10000000/);
    expect(load({ amount: 20, rate: 1e9 })[0]).toMatch(/load\.rate: .*1000000/);
    expect(load({ duration: '10ms' })[0]).toMatch(/load\.duration: out of range: 100 ms to 24 h/);
  });
});
