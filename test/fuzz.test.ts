import { describe, expect, it } from 'vitest';
import { fuzz } from '../lab/fuzz/request-fuzzer.ts';
import { withLab } from './helpers.ts';

describe('the http.sys front under fuzzed input', () => {
  it('answers or closes every connection and logs every request exactly once, on the controller and on a member', async () => {
    await withLab({ members: [{ name: 'member1' }, { name: 'member2' }] }, async (lab) => {
      const targets = [lab.controller, lab.member('member1')];
      const reports = [];
      for (const [i, host] of targets.entries()) reports.push(await fuzz({ port: host.endpoint.port, seed: 1000 + i, cases: 300, concurrency: 8, hangMs: 30_000 }));
      await lab.settle();
      for (const report of reports) {
        expect(report.cases).toBe(300);
        expect(report.hung).toBe(0);
        expect(report.answered + report.closedSilently).toBe(300);
        // The mutations must reach both sides of the parser: refused and served.
        expect(report.statuses['400']).toBeGreaterThan(0);
        expect(report.statuses['200']).toBeGreaterThan(0);
      }
      for (const host of [lab.controller, lab.member('member1'), lab.member('member2')]) {
        expect(host.logged).toBe(host.accepted);
        const seqs = host.records().map((r) => r.meta.seq);
        expect(new Set(seqs).size).toBe(seqs.length);
      }
    });
  });
});
