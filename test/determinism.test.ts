import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveTargets } from '../lab/catalog.ts';
import { FIXTURE_START } from '../lab/cli/fixtures.ts';
import { runScenario } from '../lab/scenario/run.ts';
import { get, readW3c, tempDir } from './helpers.ts';
import { Lab } from '../lab/lab.ts';

function filesUnder(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return out;
}

describe('fixture bundles', () => {
  it('are byte-identical for the same seed, and differ for another seed', async () => {
    const scenarios = await resolveTargets(['seeds', 'health-url-flap', 'affinity-drain']);
    const { dir, cleanup } = tempDir();
    try {
      const bundle = async (run: string, seed: number) => {
        for (const loaded of scenarios) {
          await runScenario(loaded, { dir: join(dir, run, loaded.scenario.name), timeScale: 0.001, startAt: FIXTURE_START, deterministic: { seed } });
        }
        return filesUnder(join(dir, run));
      };
      const a = await bundle('a', 7);
      const b = await bundle('b', 7);
      const c = await bundle('c', 8);
      expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
      expect(a.size).toBeGreaterThan(20);
      for (const [file, bytes] of a) expect(bytes.equals(b.get(file)!), file).toBe(true);
      // Another seed changes the ids (X-ARR-LOG-ID, activity ids) and nothing else about the story.
      const manifestA = JSON.parse(a.get('slow-page-timeout/manifest.json')!.toString());
      const manifestC = JSON.parse(c.get('slow-page-timeout/manifest.json')!.toString());
      expect(manifestA.requests[0].arrLogId).not.toBe(manifestC.requests[0].arrLogId);
      // The controller's cs-uri-query carries the X-ARR-LOG-ID (reference §5.2): the one field that may differ.
      const story = (m: { requests: { arrLogId: string; logged: unknown }[] }) => JSON.stringify(m.requests[0]!.logged).replaceAll(m.requests[0]!.arrLogId, '<log-id>');
      expect(story(manifestA)).toContain('X-ARR-LOG-ID=<log-id>');
      expect(story(manifestA)).toBe(story(manifestC));
    } finally {
      cleanup();
    }
  }, 60_000);

  it('use modelled addresses, fixed dates and say where each request appears', async () => {
    const [loaded] = await resolveTargets(['slow-page-timeout']);
    const { dir, cleanup } = tempDir();
    try {
      const result = await runScenario(loaded!, { dir, timeScale: 0.001, startAt: FIXTURE_START, deterministic: { seed: 1 } });
      expect(result.passed).toBe(true);
      const manifest = JSON.parse(readFileSync(result.manifest, 'utf8'));
      expect(manifest.run).toEqual({ startedAt: '2026-01-15T09:00:00.000Z', nominalMs: 45000, seed: 1, timeScale: 0.001, passed: true });
      const request = manifest.requests[0];
      expect(request.logged.arr[0].where).toEqual({ file: 'arr/inetpub/logs/LogFiles/W3SVC1/u_ex260115.log', line: 5 });
      expect(request.logged.member1[0].where.line).toBe(5);
      expect(request.tracedIn).toEqual(['arr/inetpub/logs/FailedReqLogFiles/W3SVC1/fr000001.xml']);
      const arr = readW3c(join(dir, 'arr/inetpub/logs/LogFiles/W3SVC1/u_ex260115.log')).rows[0]!;
      expect(arr).toMatchObject({ date: '2026-01-15', time: '09:00:30', 's-ip': '192.168.0.210', 's-port': '80', 'c-ip': '192.168.0.204', 'time-taken': '30000' });
      const member = readW3c(join(dir, 'member1/inetpub/logs/LogFiles/W3SVC1/u_ex260115.log')).rows[0]!;
      expect(member).toMatchObject({ time: '09:00:45', 's-ip': '192.168.0.216', 'c-ip': '192.168.0.210', 'sc-win32-status': '64', 'time-taken': '45000' });
    } finally {
      cleanup();
    }
  });
});

describe('the Windows version a host claims', () => {
  it('sets the IIS version, the build and the HTTPERR fields', async () => {
    const { dir, cleanup } = tempDir();
    const lab = await Lab.start({ members: [{ name: 'member1', script: [{ route: '/', do: ['close-without-response'] }] }] }, { root: dir, timeScale: 0.001, windows: '2012r2' });
    try {
      const res = await get(lab, '/', 'w');
      expect(res.body).toContain('<title>IIS 8.5 Detailed Error - 502.3 - Bad Gateway</title>');
      expect(res.body).toContain('IIS70Error=502,3,0x80072efe,9600');
      await lab.settle();
      await lab.stop();
      expect(readW3c(lab.controller.files().w3svc[0]!).directives[0]).toBe('#Software: Microsoft Internet Information Services 8.5');
      const httperr = readW3c(lab.member('member1').files().httperr[0]!);
      expect(httperr.fields).toEqual(['date', 'time', 'c-ip', 'c-port', 's-ip', 's-port', 'cs-version', 'cs-method', 'cs-uri', 'sc-status', 's-siteid', 's-reason', 's-queuename']);
    } finally {
      cleanup();
    }
  });
});

