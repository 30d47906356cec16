import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MARKER } from '../lab/output-folder.ts';
import { childrenOf, filesUnder, whenGone, startArrLab, whenWritten } from './cli-helpers.ts';
import { tempDir } from './helpers.ts';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

/** Every log file ends with a whole line: no hard or soft stop leaves half a line. */
function logsWhole(dir: string): void {
  for (const f of filesUnder(dir).filter((f) => f.endsWith('.log'))) {
    const text = readFileSync(join(dir, f), 'latin1');
    expect(text.endsWith('\r\n'), f).toBe(true);
  }
}

describe('interrupts leave a whole record', () => {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${signal} mid-scenario: stops, flushes every log, writes the manifest marked interrupted, prints the summary, exits ${code}`, async () => {
      const { dir, cleanup } = tempDir();
      try {
        const { child, exited } = startArrLab(['run', fixture('long-scenario.yaml'), 'slow-page-timeout', '--out', dir]);
        // The first request is logged by the member: the scenario is under way, its slow request in flight.
        await whenWritten(child, dir, /^long-scenario\/member1\/.*W3SVC1\/u_ex/);
        child.kill(signal);
        const r = await exited;
        expect(r.code, r.err).toBe(code);
        expect(r.out).toMatch(new RegExp(`│ long-scenario +│.*interrupted \\(${signal}\\)`));
        expect(r.out).toContain(`interrupted by ${signal}: 1 not run`);
        const scenarioDir = join(dir, 'long-scenario');
        const manifest = JSON.parse(readFileSync(join(scenarioDir, 'manifest.json'), 'utf8'));
        expect(manifest.run).toMatchObject({ interrupted: signal, passed: false });
        // Every request a host accepted is in its logs exactly once, the abandoned one included.
        const accounting = manifest.checks.filter((c: { field: string }) => c.field === 'accounted once');
        expect(accounting.length).toBe(2);
        for (const c of accounting) expect(c.pass, `${c.subject}: ${c.expected} vs ${c.actual}`).toBe(true);
        expect(manifest.requests.map((q: { id: string }) => q.id)).toEqual(['1', '2']);
        const slow = manifest.requests[1];
        expect(slow.logged.member1).toHaveLength(1);
        expect(slow.logged.arr).toHaveLength(1);
        // On disk, not only in the manifest: the fast request's W3C line and the abandoned one's HTTPERR line on both hosts.
        const read = (host: string, kind: string) =>
          filesUnder(scenarioDir).filter((f) => f.startsWith(`${host}/`) && f.includes(kind)).map((f) => readFileSync(join(scenarioDir, f), 'latin1')).join('');
        for (const host of ['arr', 'member1']) {
          expect(read(host, 'W3SVC1'), host).toMatch(/ GET \/fast .* 200 0 0 /);
          expect(read(host, 'HTTPERR'), host).toContain('Connection_Abandoned_By_ReqQueue');
        }
        expect(JSON.parse(readFileSync(join(scenarioDir, MARKER), 'utf8')).state).toBe('interrupted');
        logsWhole(scenarioDir);
      } finally {
        cleanup();
      }
    }, 60_000);
  }

  it('SIGINT mid-load: the report says how far it got, still reconciles, exit 130', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const out = join(dir, 'load');
      const { child, exited } = startArrLab(['load', fixture('load-fast.yaml'), '--amount', '10000000', '--connections', '8', '--out', out]);
      await whenWritten(child, out, /^arr\/.*W3SVC1\/u_ex/);
      child.kill('SIGINT');
      const r = await exited;
      expect(r.code, r.err).toBe(130);
      expect(r.out).toMatch(/Interrupted by SIGINT after \d+ of 10000000 requests/);
      expect(r.out).toContain('accounting balanced; interrupted (SIGINT)');
      const report = JSON.parse(readFileSync(join(out, 'load-report.json'), 'utf8'));
      expect(report).toMatchObject({ interrupted: 'SIGINT', balanced: true, passed: false });
      expect(report.client.sent).toBeGreaterThan(0);
      expect(report.client.sent).toBeLessThan(10_000_000);
      expect(JSON.parse(readFileSync(join(out, MARKER), 'utf8')).state).toBe('interrupted');
      logsWhole(out);
    } finally {
      cleanup();
    }
  }, 60_000);

  it('a hard kill mid-load leaves no log with half a line', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const out = join(dir, 'load');
      const { child, exited } = startArrLab(['load', fixture('load-fast.yaml'), '--amount', '10000000', '--connections', '8', '--out', out]);
      await whenWritten(child, out, /^member1\/.*W3SVC1\/u_ex/);
      const guards = childrenOf(child.pid!, 'log-guard-child');
      expect(guards).toHaveLength(1);
      child.kill('SIGKILL');
      await exited;
      // The log guard (iis/log-guard.ts) cuts a half-written last line off once the lab is gone.
      await whenGone(guards);
      logsWhole(out);
    } finally {
      cleanup();
    }
  }, 60_000);

  it('helper processes die with the lab, even when it is killed outright', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const { child, exited } = startArrLab(['run', fixture('long-silent.yaml'), '--out', dir]);
      let helpers: number[] = [];
      while (helpers.length === 0) {
        if (child.exitCode !== null) throw new Error('the lab exited before its helper started');
        helpers = childrenOf(child.pid!, 'silent-port-child');
        await new Promise((r) => setTimeout(r, 20));
      }
      child.kill('SIGKILL');
      await exited;
      // The helper notices its parent is gone and ends by itself (the test's timeout bounds the wait).
      await whenGone(helpers);
    } finally {
      cleanup();
    }
  }, 60_000);
});
