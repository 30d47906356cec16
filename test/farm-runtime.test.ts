import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { LabClock } from '../core/clock.ts';
import { createBalancer } from '../proxy/balancers/index.ts';
import { RequestHash } from '../proxy/balancers/request-hash.ts';
import type { RoutingContext } from '../proxy/balancers/balancer.ts';
import { farmSchema, type FarmInput } from '../proxy/farm-config.ts';
import { FarmRuntime } from '../proxy/farm.ts';
import { parseStatusRanges } from '../core/status-ranges.ts';
import { get, withLab } from './helpers.ts';

const context = (query: string, vars: Record<string, string> = {}, now = 0): RoutingContext => ({
  variable: (n) => vars[n.toUpperCase()],
  query: new URLSearchParams(query),
  now,
});

function farm(input: FarmInput, clock = new LabClock({ scale: 0.001, startAt: 0 })) {
  return new FarmRuntime(farmSchema.parse(input), clock);
}

describe('balancing algorithms', () => {
  it('RequestHash concatenates the named query values and ignores the rest', () => {
    const hash = new RequestHash('QUERY_STRING', 'user, region');
    expect(hash.key(context('region=eu&x=1&user=alice'))).toBe('aliceeu');
    expect(new RequestHash('HTTP_HOST', undefined).key(context('', { HTTP_HOST: 'shop.contoso.test' }))).toBe('shop.contoso.test');
  });

  it('LeastResponseTime averages only the responses inside leastResponseTimePeriod', () => {
    const f = farm({ servers: [{ address: 'a' }, { address: 'b' }], loadBalancing: { algorithm: 'LeastResponseTime', leastResponseTimePeriod: '00:00:05' } });
    const [a, b] = f.servers as [typeof f.servers[0], typeof f.servers[0]];
    a.started();
    a.finished({ failed: false, at: 1_000, responseMs: 900, bytesSent: 0, bytesReceived: 0 });
    b.started();
    b.finished({ failed: false, at: 1_000, responseMs: 100, bytesSent: 0, bytesReceived: 0 });
    expect(f.route(context('', {}, 2_000), undefined, undefined)?.server.address).toBe('b');
    b.started();
    b.finished({ failed: false, at: 4_000, responseMs: 5_000, bytesSent: 0, bytesReceived: 0 });
    expect(f.route(context('', {}, 4_500), undefined, undefined)?.server.address).toBe('a');
    // Past the period nothing counts: a tie, and the first server wins.
    expect(f.route(context('', {}, 60_000), undefined, undefined)?.server.address).toBe('a');
  });

  it('falls back to weighted round robin for the three algorithms the 2019 ARR 3 schema dropped, only with the switch', () => {
    for (const algorithm of ['LeastRequests', 'LeastResponseTime', 'WeightedTotalTraffic'] as const) {
      expect(createBalancer(farmSchema.parse({ loadBalancing: { algorithm } })).algorithm).toBe(algorithm);
      expect(createBalancer(farmSchema.parse({ loadBalancing: { algorithm }, lab: { arr3AlgorithmFallback: true } })).algorithm).toBe('WeightedRoundRobin');
    }
    expect(createBalancer(farmSchema.parse({ loadBalancing: { algorithm: 'RequestHash', hashServerVariable: 'REMOTE_ADDR' }, lab: { arr3AlgorithmFallback: true } })).algorithm).toBe('RequestHash');
    expect(() => createBalancer(farmSchema.parse({ loadBalancing: { algorithm: 'RequestHash' } }))).toThrow(/hashServerVariable/);
  });
});

describe('health settings', () => {
  it('reads status-code lists and rejects bad ones with the attribute named', () => {
    const live = parseStatusRanges('500-') as (s: number) => boolean;
    expect([499, 500, 503, 999].map(live)).toEqual([false, true, true, true]);
    const match = parseStatusRanges('200-299,302') as (s: number) => boolean;
    expect([200, 299, 301, 302].map(match)).toEqual([true, true, false, true]);
    const bad = farmSchema.safeParse({ healthCheck: { statusCodeMatch: '2xx' } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.path).toEqual(['healthCheck', 'statusCodeMatch']);
  });

  it('never marks below minServers: the refusal logs 1002 once until a server recovers', () => {
    const f = farm({ servers: [{ address: 'a' }, { address: 'b' }, { address: 'c' }], healthCheck: { minServers: 2 } });
    const [a, b, c] = f.servers as [typeof f.servers[0], typeof f.servers[0], typeof f.servers[0]];
    f.markUnhealthy(a, 'test');
    f.markUnhealthy(b, 'test');
    f.markUnhealthy(c, 'test');
    expect(f.servers.map((s) => s.healthy)).toEqual([false, true, true]);
    expect(f.events.map((e) => e.id)).toEqual([1000, 1002]);
    f.markHealthy(a);
    f.markUnhealthy(b, 'test');
    f.markUnhealthy(c, 'test');
    expect(f.events.map((e) => e.id)).toEqual([1000, 1002, 1000, 1002]);
    expect(f.events[0]!.message).toBe('Server a in server farm myServerFarm is being marked unhealthy due to test.');
  });
});

describe('health tests on the lab clock', () => {
  it('probes every interval, retries a failed test, and writes event 1000 to the Application log export', async () => {
    const topology = {
      farm: { healthCheck: { url: 'http://arr.contoso.test/probe.aspx?deep=1', interval: '00:01:00', timeout: '00:00:10', retries: 2 } },
      members: [
        { name: 'member1', script: [{ route: '/probe.aspx', requests: '2-', do: [{ respond: { status: 500 } }] }] },
        { name: 'member2' },
      ],
    };
    await withLab(topology, async (lab) => {
      await lab.clock.sleep(150_000);
      await lab.settle();
      const start = lab.clock.startedAt;
      const probes = lab.controller.probes().filter((p) => p.server === 'member1');
      // Tests at 60 s and 120 s; the second fails and is tried 1 + 2 times.
      expect(probes.map((p) => [Math.round((p.at - start) / 1000), p.attempt, p.outcome.result])).toEqual([
        [60, 1, 'Success'], [120, 1, 'StatusCodeFailure'], [120, 2, 'StatusCodeFailure'], [120, 3, 'StatusCodeFailure'],
      ]);
      const seen = lab.member('member1').records().map((r) => r.kind === 'w3c' && [r.entry['cs-uri-stem'], r.entry['cs-uri-query'], r.entry['sc-status']]);
      expect(seen).toEqual([['/probe.aspx', 'deep=1', 200], ['/probe.aspx', 'deep=1', 500], ['/probe.aspx', 'deep=1', 500], ['/probe.aspx', 'deep=1', 500]]);
      expect(lab.controller.servers().map((s) => s.healthy)).toEqual([false, true]);
      expect((await get(lab, '/', 'x')).status).toBe(200);
      await lab.stop();
      const root = lab.controller.files().events![0]!;
      expect(root.endsWith('/arr/Windows/System32/winevt/Logs/Application.xml')).toBe(true);
      const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(readFileSync(root, 'utf8'));
      const event = xml.Events.Event;
      expect(event['@xmlns']).toBe('http://schemas.microsoft.com/win/2004/08/events/event');
      expect(event.System.EventID['#text']).toBe(1000);
      expect(event.System.Level).toBe(3);
      expect(event.EventData.Data).toBe('Server member1 in server farm myServerFarm is being marked unhealthy due to a failed URL test (status code 500).');
    });
  });

  it('counts connection errors as live-traffic failures only with the switch', async () => {
    for (const counts of [true, false]) {
      const topology = {
        farm: { healthCheck: { maxLiveTrafficFailures: 2 }, lab: { liveTrafficCountsConnectionErrors: counts } },
        members: [{ name: 'member1', offline: true }, { name: 'member2' }],
      };
      await withLab(topology, async (lab) => {
        for (let i = 0; i < 6; i++) await get(lab, '/', `c${i}`);
        expect(lab.controller.servers()[0]!.healthy).toBe(!counts);
        expect(lab.controller.counters('member1')!.failedRequests).toBe(counts ? 2 : 3);
      });
    }
  });
});

describe('cookie affinity', () => {
  it('answers the first request with an ARRAffinity cookie and follows it afterwards', async () => {
    await withLab({ farm: { affinity: { useCookie: true, cookieName: 'StickyARR' } }, members: [{ name: 'member1' }, { name: 'member2' }] }, async (lab) => {
      const first = await get(lab, '/', 'a1');
      const cookie = first.headers['set-cookie'] as string;
      expect(cookie).toMatch(/^StickyARR=[0-9a-f]{64}; Domain=127\.0\.0\.1; Path=\/$/);
      const pair = cookie.split(';')[0]!;
      for (let i = 0; i < 3; i++) {
        const again = await get(lab, '/', `a${i + 2}`, { cookie: `other=1; ${pair}` });
        expect(again.headers['set-cookie']).toBeUndefined();
      }
      // A cookie naming no server of the farm is ignored: balanced and re-bound.
      const stale = await get(lab, '/', 'b1', { cookie: 'StickyARR=0000' });
      expect(stale.headers['set-cookie']).toBeDefined();
      await lab.settle();
      expect(lab.member('member1').records().map((r) => r.meta.labRequest)).toEqual(['a1', 'a2', 'a3', 'a4']);
      expect(lab.member('member2').records().map((r) => r.meta.labRequest)).toEqual(['b1']);
    });
  });
});
