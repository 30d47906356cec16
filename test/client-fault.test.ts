import { describe, expect, it } from 'vitest';
import { exchange, get, withLab } from './helpers.ts';

describe("a client's malformed bytes are the client's error, never a member's", () => {
  it('a flood of duplicate-Host requests and broken chunked bodies leaves the farm healthy and legitimate traffic served', async () => {
    const topology = { farm: { healthCheck: { maxLiveTrafficFailures: 2 } }, members: [{ name: 'member1' }, { name: 'member2' }] };
    await withLab(topology, async (lab) => {
      const port = lab.controller.endpoint.port;
      const duplicateHost = 'GET /app HTTP/1.1\r\nHost: arr\r\nHost: evil\r\n\r\n';
      const badChunk = 'POST /upload HTTP/1.1\r\nHost: arr\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\nzz\r\n';
      const answers = await Promise.all([
        ...Array.from({ length: 20 }, () => exchange(port, duplicateHost)),
        ...Array.from({ length: 20 }, () => exchange(port, badChunk)),
      ]);
      for (const a of answers) expect(a.received).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      await lab.settle();

      const legit = await Promise.all(Array.from({ length: 10 }, (_, i) => get(lab, '/', `legit${i}`)));
      expect(legit.map((r) => r.status)).toEqual(Array(10).fill(200));
      await lab.settle();

      const servers = lab.controller.servers();
      expect(servers.map((s) => [s.address, s.healthy, s.counters.failedRequests])).toEqual([
        ['member1', true, 0],
        ['member2', true, 0],
      ]);
      expect(lab.controller.events().filter((e) => e.id === 1000)).toEqual([]);
      const reasons = lab.controller.records().filter((r) => r.kind === 'httperr').map((r) => r.entry['s-reason' as never]);
      expect(reasons.filter((r) => r === 'Hostname')).toHaveLength(20);
      expect(reasons.filter((r) => r === 'BadRequest')).toHaveLength(20);
      expect(lab.controller.records().filter((r) => r.kind === 'w3c' && r.meta.labRequest?.startsWith('legit'))).toHaveLength(10);
    });
  });

  it('a body the client announces and never sends times ARR out without counting against the member', async () => {
    const topology = { farm: { protocol: { timeout: '00:00:30' }, healthCheck: { maxLiveTrafficFailures: 2 } }, members: [{ name: 'member1' }] };
    await withLab(topology, async (lab) => {
      const port = lab.controller.endpoint.port;
      const silentBody = 'POST /form HTTP/1.1\r\nHost: arr\r\nContent-Length: 5\r\nConnection: close\r\n\r\n';
      const answers = await Promise.all(Array.from({ length: 5 }, () => exchange(port, silentBody)));
      for (const a of answers) expect(a.received).toMatch(/^HTTP\/1\.1 502 /);
      await lab.settle();
      expect(lab.controller.servers().map((s) => [s.healthy, s.counters.failedRequests])).toEqual([[true, 0]]);
      expect((await get(lab, '/', 'after')).status).toBe(200);
    });
  });

  it('a client that shuts its side mid-upload gets http.sys\'s 400 and counts against no member', async () => {
    const script = [{ route: '/read/', do: ['read-body', { respond: {} }] }];
    const topology = { farm: { healthCheck: { maxLiveTrafficFailures: 2 } }, members: [{ name: 'member1', script }, { name: 'member2', script }] };
    await withLab(topology, async (lab) => {
      const port = lab.controller.endpoint.port;
      const cut = 'POST /read/upload HTTP/1.1\r\nHost: arr\r\nContent-Length: 25\r\n\r\nabc';
      const answers = await Promise.all(Array.from({ length: 20 }, () => exchange(port, cut, { shut: true })));
      for (const a of answers) expect(a.received).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[^]*The request is badly formed\./);
      await lab.settle();
      expect(lab.controller.servers().map((s) => [s.healthy, s.counters.failedRequests])).toEqual([
        [true, 0],
        [true, 0],
      ]);
      const reasons = lab.controller.records().filter((r) => r.kind === 'httperr').map((r) => r.entry['s-reason' as never]);
      expect(reasons).toEqual(Array(20).fill('BadRequest'));
      expect((await get(lab, '/', 'after')).status).toBe(200);
    });
  });
});
