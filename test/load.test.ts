import { spawnSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runLoad } from '../lab/load/run-load.ts';
import { balanced, reconcile, type ReconcileInput } from '../lab/load/reconcile.ts';
import { parseScenario } from '../lab/scenario/load.ts';
import { readW3c, tempDir } from './helpers.ts';

const BIN = fileURLToPath(new URL('../bin/arr-lab.mjs', import.meta.url));

/**
 * A farm of two under load: member1's /shop/ requests 5-8 sleep past the 30 s timeout, member2's
 * 3-6 close without a response, the rest answer 200; the controller probes /health/ every 5 s.
 */
function mixedFarm(load: Record<string, unknown>) {
  return {
    name: 'load-mix',
    description: 'two members, some pages too slow, some dropped',
    suites: ['test'],
    farm: { protocol: { timeout: '00:00:30' }, healthCheck: { url: 'http://arr/health/', interval: '00:00:05' } },
    members: [
      { name: 'member1', script: [{ route: '/shop/', requests: '5-8', do: [{ sleep: '45s' }, 'respond'] }, { do: ['respond'] }] },
      { name: 'member2', script: [{ route: '/shop/', requests: '3-6', do: ['close-without-response'] }, { do: ['respond'] }] },
    ],
    requests: [{ path: '/shop/' }],
    load,
  };
}

function counts(input: Partial<ReconcileInput> = {}): ReconcileInput {
  const host = (name: string, accepted: number, probes = 0) => ({ name, accepted, logged: accepted, w3svcLines: accepted - 1, httperrLines: 1, probes, connectionEvents: 2, connectionLines: 2 });
  return {
    client: { sent: 100, answered: 98, errors: 2, cut: false, connections: 10 },
    controller: host('arr', 100),
    members: [host('member1', 53, 3), host('member2', 50)],
    forwarded: 100,
    unreached: 0,
    ...input,
  };
}

describe('load runs', () => {
  it('accounts for every request on the client, the proxy and each member, and counts each fault where it shows', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const loaded = parseScenario(mixedFarm({ connections: 10, amount: 200 }), 'inline.yaml');
      const run = await runLoad(loaded, { dir: join(dir, 'run'), timeScale: 0.001 });
      expect(run.reconciliation.filter((r) => !r.pass)).toEqual([]);
      expect(run.balanced).toBe(true);

      const c = run.client;
      expect(c).toMatchObject({ sent: 200, answered: 200, errors: 0, statuses: { '200': 192, '502': 8 } });
      expect(c.errorPages).toEqual({ '502.3 0x80072ee2': 4, '502.3 0x80072efe': 4 });

      const host = (name: string) => run.hosts.find((h) => h.name === name)!;
      expect(host('arr').tally.w3svc).toEqual({ '200 0 0': 192, '502 3 12002': 4, '502 3 12030': 4 });
      expect(host('arr').counts).toMatchObject({ accepted: 200, logged: 200, w3svcLines: 200, httperrLines: 0 });
      expect(host('member1').tally.w3svc['200 0 64']).toBe(4);
      expect(host('member2').tally.httperr).toEqual({ Connection_Dropped: 4 });
      // Every client request reached exactly one member; the rest of what members accepted is probes.
      const members = [host('member1'), host('member2')];
      expect(run.farm.forwarded).toBe(200);
      expect(members.reduce((n, m) => n + m.counts.accepted - m.counts.probes, 0)).toBe(200);
      expect(members.reduce((n, m) => n + m.counts.probes, 0)).toBeGreaterThan(0);

      // The controller's file, read back by the tests' own parser, has one line per request.
      const rows = (run.hosts.find((h) => h.name === 'arr')!.files.w3svc).flatMap((f) => readW3c(join(run.dir, f)).rows);
      expect(rows).toHaveLength(200);
      const timedOut = rows.filter((r) => r['sc-win32-status'] === '12002').map((r) => Number(r['time-taken']));
      expect(timedOut).toHaveLength(4);
      expect(timedOut.filter((t) => t < 29_000 || t > 31_000)).toEqual([]);
    } finally {
      cleanup();
    }
  }, 20_000);

  it('a load run leaves no socket, timer or file handle behind', async () => {
    const { dir, cleanup } = tempDir();
    const resources = () => {
      const counts: Record<string, number> = { fds: readdirSync('/proc/self/fd').length };
      for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
      return counts;
    };
    // Short-lived process-wide timers (undici's tick) and pending closes run out; a leaked one stays.
    const quiesce = async () => {
      for (let i = 0; i < 60 && process.getActiveResourcesInfo().some((r) => r === 'Timeout' || r === 'FSReqCallback'); i++) await new Promise((r) => setTimeout(r, 50));
      return resources();
    };
    try {
      const loaded = parseScenario(mixedFarm({ connections: 5, amount: 30 }), 'inline.yaml');
      await runLoad(loaded, { dir: join(dir, 'warm'), timeScale: 0.001 });
      const before = await quiesce();
      for (let i = 0; i < 2; i++) expect((await runLoad(loaded, { dir: join(dir, `r${i}`), timeScale: 0.001 })).balanced).toBe(true);
      expect(await quiesce()).toEqual(before);
    } finally {
      cleanup();
    }
  }, 20_000);

  it('reconciles a balanced run and names each line that is missing or doubled', () => {
    expect(balanced(reconcile(counts()))).toBe(true);

    const doubled = counts({ members: [counts().members[0]!, { ...counts().members[1]!, w3svcLines: 50 }] });
    expect(reconcile(doubled).filter((r) => !r.pass)).toEqual([
      expect.objectContaining({ subject: 'member2', check: 'accepted = W3SVC + HTTPERR lines', problem: '1 doubled in the files' }),
    ]);

    const missing = counts({ controller: { ...counts().controller, httperrLines: 0 } });
    expect(reconcile(missing).filter((r) => !r.pass).map((r) => r.problem)).toEqual(['1 missing from the files']);

    const notLogged = counts({ controller: { ...counts().controller, logged: 99 } });
    expect(reconcile(notLogged).filter((r) => !r.pass).map((r) => r.problem)).toEqual(['1 not logged']);

    const lost = counts({ client: { ...counts().client, answered: 97 } });
    expect(reconcile(lost).filter((r) => !r.pass).map((r) => r.problem)).toEqual(['1 requests without outcome']);
    // Cut by a duration, a request per connection may still be in flight.
    expect(balanced(reconcile(counts({ client: { ...counts().client, answered: 90, cut: true } })))).toBe(true);

    const neverForwarded = counts({ forwarded: 99 });
    expect(reconcile(neverForwarded).filter((r) => !r.pass).map((r) => r.problem)).toEqual(['1 received but never forwarded']);
    expect(balanced(reconcile(counts({ forwarded: 102, unreached: 2 })))).toBe(true);

    const connection = counts({ members: [{ ...counts().members[0]!, connectionLines: 3 }, counts().members[1]!] });
    expect(reconcile(connection).filter((r) => !r.pass).map((r) => r.problem)).toEqual(['1 doubled in the files']);
  });

  it('rejects a load scenario with more than its one template request or naming an unknown member', () => {
    const two = { ...mixedFarm({ amount: 20 }), requests: [{ path: '/a/' }, { path: '/b/' }] };
    expect(() => parseScenario(two, 'two.yaml')).toThrow(/a load scenario has one request/);
    expect(() => parseScenario(mixedFarm({ amount: 20, expect: { members: { ghost: { '200': '>0' } } } }), 'x.yaml')).toThrow(/no member named "ghost"/);
    expect(() => parseScenario(mixedFarm({ amount: 20, duration: '1s' }), 'x.yaml')).toThrow(/duration or amount, not both/);
    expect(() => parseScenario(mixedFarm({ amount: 20, expect: { proxy: { '502 3 12002': 'lots' } } }), 'x.yaml')).toThrow(/not a count/);
  });

  it('arr-lab load exits 0 when balanced and expected, 1 when an expectation fails, 2 on bad input', () => {
    const { dir, cleanup } = tempDir();
    try {
      const file = (name: string, load: Record<string, unknown>) => {
        const path = join(dir, `${name}.yaml`);
        writeFileSync(path, stringify({ ...mixedFarm(load), name }));
        return path;
      };
      const cli = (...args: string[]) => spawnSync(process.execPath, [BIN, 'load', ...args], { encoding: 'utf8', timeout: 30_000 });

      const good = cli(file('good', { amount: 40, connections: 4, expect: { proxy: { '502 3': 8 }, members: { member2: { Connection_Dropped: '>0' } } } }), '--json', '--out', join(dir, 'good'));
      expect(good.status, good.stderr).toBe(0);
      const report = JSON.parse(good.stdout) as { balanced: boolean; client: { sent: number } };
      expect(report).toMatchObject({ balanced: true, client: { sent: 40 } });

      const wrong = cli(file('wrong', { amount: 40, connections: 4, expect: { proxy: { '502 3': 0 } } }), '--out', join(dir, 'wrong'));
      expect(wrong.status, wrong.stderr).toBe(1);
      expect(wrong.stdout).toMatch(/FAIL/);

      const bad = cli(file('bad', { amount: 40 }), '--amount', '2', '--connections', '5', '--out', join(dir, 'bad'));
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/less than --connections/);
    } finally {
      cleanup();
    }
  }, 30_000);
});
