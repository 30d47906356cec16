import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog, resolveTargets } from '../lab/catalog.ts';
import { exportFixtures, FIXTURE_START } from '../lab/fixture-index/export.ts';
import { JITTER_MS } from '../lab/jitter.ts';
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

interface ManifestRecord {
  kind: string;
  where?: { file: string; line: number };
  entry: Record<string, unknown>;
}

/**
 * What a request's records say apart from what a seed may change: ids (the controller's
 * cs-uri-query carries the X-ARR-LOG-ID, docs/reference.md §5.2), ports and the modelled jitter.
 */
function story(manifest: { requests: { arrLogId?: string; logged: Record<string, ManifestRecord[]> }[] }) {
  return manifest.requests.map((r) => {
    const logged = Object.fromEntries(
      Object.entries(r.logged).map(([host, list]) => [host, list.map((x) => ({ kind: x.kind, where: x.where, entry: { ...x.entry, 'time-taken': undefined, 'c-port': undefined } }))]),
    );
    const text = JSON.stringify(logged);
    return r.arrLogId ? text.replaceAll(r.arrLogId, '<log-id>') : text;
  });
}

describe('fixture bundles', () => {
  // Every scenario of the catalog, not a sample. Load bundles are the documented exception
  // (autocannon's connections interleave as the machine schedules them), and container runs are
  // not exported (real hosts and timers).
  it('are byte-identical for the same seed for every scenario, and another seed changes ids, ports and jitter only', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const targets = (await loadCatalog()).filter((l) => !l.scenario.load && l.scenario.runtime !== 'containers').map((l) => l.scenario.name);
      const bundle = async (run: string, seed: number) => {
        await exportFixtures({ targets, out: join(dir, run), seed, set: 'tuning' });
        return filesUnder(join(dir, run));
      };
      const a = await bundle('a', 7);
      const b = await bundle('b', 7);
      const c = await bundle('c', 8);
      expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
      expect(new Set([...a.keys()].map((f) => f.split('/')[0])).size).toBe(targets.length + 2);
      for (const [file, bytes] of a) expect(bytes.equals(b.get(file)!), file).toBe(true);

      expect([...c.keys()].sort()).toEqual([...a.keys()].sort());
      let jittered = 0;
      for (const name of targets) {
        const manifestA = JSON.parse(a.get(`${name}/manifest.json`)!.toString());
        const manifestC = JSON.parse(c.get(`${name}/manifest.json`)!.toString());
        expect(story(manifestC), name).toEqual(story(manifestA));
        manifestA.requests.forEach((r: { arrLogId?: string; logged: Record<string, ManifestRecord[]> }, i: number) => {
          const other = manifestC.requests[i];
          if (r.arrLogId) expect(other.arrLogId, name).not.toBe(r.arrLogId);
          for (const [host, list] of Object.entries(r.logged)) {
            list.forEach((x, j) => {
              if (x.kind !== 'w3c') return;
              const delta = Number(other.logged[host][j].entry['time-taken']) - Number(x.entry['time-taken']);
              expect(Math.abs(delta), `${name} ${host}`).toBeLessThanOrEqual(JITTER_MS.timeout[1] - JITTER_MS.timeout[0]);
              if (delta !== 0) jittered++;
            });
          }
        });
        // Every file keeps its lines: same count, same dates.
        for (const [file, bytes] of a) {
          if (!file.startsWith(`${name}/`) || !/\.log$/.test(file)) continue;
          const linesA = bytes.toString('latin1').split('\r\n');
          const linesC = c.get(file)!.toString('latin1').split('\r\n');
          expect(linesC.length, file).toBe(linesA.length);
          linesA.forEach((l, i) => expect(linesC[i]!.slice(0, 10), `${file}:${i + 1}`).toBe(l.slice(0, 10)));
        }
      }
      expect(jittered).toBeGreaterThan(100);
    } finally {
      cleanup();
    }
  }, 180_000);

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
      expect(arr).toMatchObject({ date: '2026-01-15', time: '09:00:30', 's-ip': '192.168.0.210', 's-port': '80', 'c-ip': '192.168.0.204' });
      // A timeout logs near its limit, not on it (lab/jitter.ts).
      expect(Number(arr['time-taken'])).toBeGreaterThanOrEqual(30000 + JITTER_MS.timeout[0]);
      expect(Number(arr['time-taken'])).toBeLessThanOrEqual(30000 + JITTER_MS.timeout[1]);
      const member = readW3c(join(dir, 'member1/inetpub/logs/LogFiles/W3SVC1/u_ex260115.log')).rows[0]!;
      expect(member).toMatchObject({ time: '09:00:45', 's-ip': '192.168.0.216', 'c-ip': '192.168.0.210', 'sc-win32-status': '64' });
      expect(Number(member['time-taken'])).toBeGreaterThanOrEqual(45000);
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

