import { readdirSync, readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { LabClock } from '../core/clock.ts';
import { LAB_REQUEST_HEADER } from '../iis/host-request.ts';
import type { LoggedRequest, W3cEntry } from '../iis/log-records.ts';
import { Lab, type MemberTopologyInput, type TopologyInput } from '../lab/lab.ts';
import { kindOf } from '../proxy/failure.ts';
import { LabResolver, resolverSchema } from '../proxy/lab-resolver.ts';
import { get, readW3c, tempDir, withLab } from './helpers.ts';
import { post } from './upload.ts';

const MB8 = 8 * 1024 * 1024;

function logged(lab: Lab, host: string, id: string): LoggedRequest[] {
  const h = lab.hosts.find((x) => x.name === host)!;
  return h.records().filter((r) => r.meta.labRequest === id);
}

/** The one W3SVC entry a host wrote for a request (and no HTTPERR line). */
function w3c(lab: Lab, host: string, id: string): W3cEntry {
  const records = logged(lab, host, id);
  expect(records.map((r) => r.kind), `${host} ${id}`).toEqual(['w3c']);
  return records[0]!.entry as W3cEntry;
}

describe('lab resolver', () => {
  const endpoint = { host: '127.0.0.1', port: 1 };
  const resolver = (script: unknown) => {
    const clock = new LabClock({ scale: 0.001 });
    const r = new LabResolver(clock);
    r.set('member1', endpoint);
    r.setScript(resolverSchema.parse(script));
    return { clock, r };
  };

  it('follows aliases, case-insensitively, and adds up their delays on the lab clock', async () => {
    const { clock, r } = resolver({ WWW: { answer: 'edge', delay: '5s' }, edge: { answer: 'Member1', delay: '20s' } });
    await expect(r.locate('www', 80)).resolves.toEqual(endpoint);
    expect(clock.elapsed()).toBeGreaterThanOrEqual(25_000);
    clock.dispose();
  });

  it('fails like getaddrinfo: nxdomain is ENOTFOUND, servfail EAI_AGAIN, both "not found" for the table', async () => {
    const { clock, r } = resolver({ member1: 'nxdomain', other: { delay: '3s', fail: 'servfail' } });
    const nx = await r.locate('member1', 80).catch((e: unknown) => e);
    const sf = await r.locate('other', 80).catch((e: unknown) => e);
    expect(kindOf(nx)).toMatchObject({ kind: 'not-found', code: 'ENOTFOUND' });
    expect(kindOf(sf)).toMatchObject({ kind: 'not-found', code: 'EAI_AGAIN' });
    expect(clock.elapsed()).toBeGreaterThanOrEqual(3000);
    clock.dispose();
  });

  it('never answers a "timeout" name, and a lookup given up on leaves no timer behind', async () => {
    const { clock, r } = resolver({ member1: 'timeout', slow: { delay: '1h' } });
    const stop = new AbortController();
    const silent = r.locate('member1', 80, stop.signal).catch((e: Error) => e.message);
    const slow = r.locate('slow', 80, stop.signal).catch((e: Error) => e.message);
    await clock.sleep(60_000);
    expect(clock.pending).toBe(1);
    stop.abort(new Error('resolve timeout'));
    expect(await silent).toBe('resolve timeout');
    expect(await slow).toBe('resolve timeout');
    expect(clock.pending).toBe(0);
    clock.dispose();
  });

  it('rejects a script whose answers loop or that both answers and fails, and keeps the old one', async () => {
    const { clock, r } = resolver({ member1: 'nxdomain' });
    expect(() => r.setScript(resolverSchema.parse({ a: 'b', b: 'a' }))).toThrow(/a -> b -> a/);
    expect(() => r.setScript(resolverSchema.parse({ a: { answer: 'member1', fail: 'nxdomain' } }))).toThrow(/either answers or fails/);
    await expect(r.locate('member1', 80)).rejects.toMatchObject({ code: 'ENOTFOUND' });
    clock.dispose();
  });

  it('a delay under the resolve timeout only slows the request; switched live past it, the resolve phase times out', async () => {
    // No keep-alive: a pooled connection would skip name resolution, as WinHTTP's does.
    const topology: TopologyInput = {
      farm: { protocol: { keepAlive: false }, lab: { timeouts: { resolve: '25s' } } },
      members: [{ name: 'member1' }],
      resolver: { member1: { delay: '20s' } },
    };
    await withLab(topology, async (lab) => {
      expect((await get(lab, '/', 'r1')).status).toBe(200);
      lab.setResolver({ member1: { delay: '30s' } });
      const late = await get(lab, '/', 'r2');
      await lab.settle();
      expect(late.page).toMatchObject({ status: 502, substatus: 3, errorCode: '0x80072ee2', description: 'The operation timed out' });
      const ok = w3c(lab, 'arr', 'r1');
      expect(ok['sc-status']).toBe(200);
      expect(Math.abs(ok['time-taken'] - 20_000)).toBeLessThan(1000);
      const timedOut = w3c(lab, 'arr', 'r2');
      expect([timedOut['sc-status'], timedOut['sc-substatus'], timedOut['sc-win32-status']]).toEqual([502, 3, 12002]);
      expect(Math.abs(timedOut['time-taken'] - 25_000)).toBeLessThan(1000);
      expect(w3c(lab, 'member1', 'r1')['sc-status']).toBe(200);
      expect(logged(lab, 'member1', 'r2')).toEqual([]);
    });
  });

  it('a scenario with a looping resolver fails to load, naming the entry', async () => {
    const { parseScenario } = await import('../lab/scenario/load.ts');
    expect(() =>
      parseScenario({ name: 'x', description: 'x', suites: ['t'], members: [{ name: 'member1' }], resolver: { a: 'b', b: 'a' }, requests: [{ path: '/' }] }, 'x.yaml'),
    ).toThrow(/resolver\.a: the answers loop: a -> b -> a/);
  });
});

describe('WinHTTP phases', () => {
  it('each phase fails on its own timeout: resolve 5 s, connect 7 s, send 11 s, receive 13 s', async () => {
    const topology: TopologyInput = {
      farm: { protocol: { timeout: '00:00:30' }, lab: { timeouts: { resolve: '5s', connect: '7s', send: '11s', receive: '13s' } } },
      resolver: { dns: 'timeout' },
      members: [
        { name: 'dns' },
        { name: 'down', offline: 'silent' },
        { name: 'reader', script: [{ route: '/', do: ['stop-reading', { sleep: '45s' }, { respond: {} }] }] },
        { name: 'slow', script: [{ route: '/', do: [{ sleep: '45s' }, { respond: {} }] }] },
      ],
    };
    await withLab(topology, async (lab) => {
      // Weighted round robin with equal weights takes the members in order; only the page that
      // stops reading gets a body large enough to fill the socket buffers.
      for (const id of ['dns', 'down', 'reader', 'slow']) {
        const res = id === 'reader' ? await post(lab, '/', id, MB8) : await get(lab, '/', id);
        expect(res.page, id).toMatchObject({ status: 502, substatus: 3, errorCode: '0x80072ee2' });
      }
      await lab.settle();
      const taken = Object.fromEntries(['dns', 'down', 'reader', 'slow'].map((id) => [id, w3c(lab, 'arr', id)['time-taken']]));
      expect(Math.round(taken.dns! / 1000)).toBe(5);
      expect(Math.round(taken.down! / 1000)).toBe(7);
      expect(Math.round(taken.reader! / 1000)).toBe(11);
      expect(Math.round(taken.slow! / 1000)).toBe(13);
      for (const id of ['dns', 'down', 'reader', 'slow']) expect(w3c(lab, 'arr', id)['sc-win32-status']).toBe(12002);
      expect(logged(lab, 'dns', 'dns')).toEqual([]);
      expect(logged(lab, 'down', 'down')).toEqual([]);
    });
  });

  // Copying 8 MB through two hops is real work the clock does not compress: at 1/20 the 10 s send
  // timeout lasts 500 ms of wall time, far more than the copy, so only a stalled send can hit it.
  it('a page drains the request body by default: an 8 MB POST to a page that sleeps past the send timeout is sent and answered', async () => {
    const topology: TopologyInput = { farm: { lab: { timeouts: { send: '10s' } } }, members: [{ name: 'member1', script: [{ route: '/', do: [{ sleep: '12s' }, { respond: {} }] }] }] };
    await withLab(
      topology,
      async (lab) => {
        const res = await post(lab, '/', 'r1', MB8);
        await lab.settle();
        expect(res.status).toBe(200);
        expect(w3c(lab, 'arr', 'r1')).toMatchObject({ 'cs-method': 'POST', 'sc-status': 200, 'sc-win32-status': 0 });
        expect(Math.abs(w3c(lab, 'arr', 'r1')['time-taken'] - 12_000)).toBeLessThan(1000);
        expect(w3c(lab, 'member1', 'r1')).toMatchObject({ 'sc-status': 200, 'sc-win32-status': 0 });
      },
      0.05,
    );
  });
});

/** TCP states in /proc/net/tcp for sockets from `localPort` to `remotePort` (02 = SYN_SENT). */
function tcpStates(localPort: number, remotePort: number): string[] {
  const hex = (p: number) => `0100007F:${p.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'latin1')
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[1] === hex(localPort) && f[2] === hex(remotePort))
    .map((f) => f[3]!);
}

function helperProcesses(): number[] {
  const out: number[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('silent-port-child.mjs')) {
        const ppid = Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1]);
        if (ppid === process.pid) out.push(Number(pid));
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return out;
}

describe('a silent member (offline: silent)', () => {
  it('never answers a SYN: a raw connect neither connects nor fails for 60 nominal seconds and stays in SYN-SENT', async () => {
    await withLab(
      { members: [{ name: 'member1', offline: 'silent' }] },
      async (lab) => {
        const port = lab.member('member1').endpoint.port;
        const events: string[] = [];
        const probe: Socket = connect({ host: '127.0.0.1', port });
        probe.on('connect', () => events.push('connect'));
        probe.on('error', (e: NodeJS.ErrnoException) => events.push(e.code ?? 'error'));
        await lab.clock.sleep(60_000);
        expect(events).toEqual([]);
        expect(tcpStates(probe.localPort!, port)).toEqual(['02']);
        probe.destroy();
        // The same port refuses once the member is offline the ordinary way: the mode, not the port, is silent.
        await lab.member('member1').setOffline(true);
        const refused = await new Promise<string>((resolve) => connect({ host: '127.0.0.1', port }).on('error', (e: NodeJS.ErrnoException) => resolve(e.code!)));
        expect(refused).toBe('ECONNREFUSED');
      },
      0.01,
    );
  });

  it('can go silent, come back and refuse while the lab runs', async () => {
    const topology: TopologyInput = { farm: { protocol: { keepAlive: false }, lab: { timeouts: { connect: '7s' } } }, members: [{ name: 'member1' }] };
    await withLab(topology, async (lab) => {
      const member = lab.member('member1');
      expect((await get(lab, '/', 'r1')).status).toBe(200);
      await member.setOffline('silent');
      expect((await get(lab, '/', 'r2')).page).toMatchObject({ status: 502, substatus: 3, errorCode: '0x80072ee2' });
      await member.setOffline(false);
      expect((await get(lab, '/', 'r3')).status).toBe(200);
      await member.setOffline(true);
      expect((await get(lab, '/', 'r4')).page).toMatchObject({ status: 502, substatus: 3, errorCode: '0x80072efd' });
      await lab.settle();
      expect(Math.abs(w3c(lab, 'arr', 'r2')['time-taken'] - 7000)).toBeLessThan(1000);
      expect(member.records().map((r) => r.meta.labRequest)).toEqual(['r1', 'r3']);
    });
  });

  it('taken offline, closes its idle keep-alive connection at once: the next request meets the new mode, no idle timer runs out meanwhile', async () => {
    await withLab({ members: [{ name: 'member1' }] }, async (lab) => {
      const member = lab.member('member1');
      // ARR keeps the connection of r1 alive (protocol keepAlive is on by default).
      expect((await get(lab, '/', 'r1')).status).toBe(200);
      await member.setOffline(true);
      expect((await get(lab, '/', 'r2')).page).toMatchObject({ status: 502, substatus: 3, errorCode: '0x80072efd' });
      await lab.settle();
      expect(w3c(lab, 'arr', 'r2')).toMatchObject({ 'sc-status': 502, 'sc-substatus': 3, 'sc-win32-status': 12029 });
      expect(member.records().map((r) => [r.kind, r.meta.labRequest])).toEqual([['w3c', 'r1']]);
      // The member closed the connection itself: its 120 s idle timer never ran out.
      expect(member.connectionEvents()).toEqual({});
    });
  });

  it('leaves no helper process, socket, timer or file handle behind', async () => {
    const resources = () => {
      const counts: Record<string, number> = {};
      for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
      counts.fds = readdirSync('/proc/self/fd').length;
      return counts;
    };
    // A closed handle leaves the list a loop turn later; undici's tick timer a little after that.
    const quiesce = async () => {
      for (let i = 0; i < 60; i++) {
        await new Promise((r) => setTimeout(r, 50));
        if (!process.getActiveResourcesInfo().includes('Timeout')) break;
      }
      return resources();
    };
    const topology: TopologyInput = { farm: { lab: { timeouts: { connect: '5s' } } }, members: [{ name: 'member1', offline: 'silent' }, { name: 'member2' }] };
    await withLab(topology, async (lab) => void (await get(lab, '/', 'warm')));
    const before = await quiesce();
    for (let i = 0; i < 10; i++) {
      await withLab(topology, async (lab) => {
        await Promise.all([get(lab, '/', `a${i}`), get(lab, '/', `b${i}`)]);
        await lab.member('member2').setOffline('silent');
        expect(helperProcesses()).toHaveLength(2);
      });
      expect(helperProcesses()).toEqual([]);
    }
    expect(await quiesce()).toEqual(before);
  }, 60_000);
});

describe('retry on connect failure (lab.retryOnConnectFailure)', () => {
  const members = (third: MemberTopologyInput): MemberTopologyInput[] => [{ name: 'member1', offline: true }, { name: 'member2', offline: 'silent' }, third];

  it('on: refused, then silent, then served; one proxy line, the failures in the members\' counters', async () => {
    const topology: TopologyInput = { farm: { lab: { retryOnConnectFailure: true, timeouts: { connect: '7s' } } }, members: members({ name: 'member3' }) };
    await withLab(topology, async (lab) => {
      const res = await post(lab, '/', 'r1', 100_000);
      await lab.settle();
      expect(res.status).toBe(200);
      expect(res.body).toContain('Served by member3');
      expect(logged(lab, 'arr', 'r1')).toHaveLength(1);
      const line = w3c(lab, 'arr', 'r1');
      expect([line['sc-status'], line['sc-win32-status']]).toEqual([200, 0]);
      expect(Math.abs(line['time-taken'] - 7000)).toBeLessThan(1000);
      expect(logged(lab, 'member1', 'r1')).toEqual([]);
      expect(logged(lab, 'member2', 'r1')).toEqual([]);
      expect(w3c(lab, 'member3', 'r1')).toMatchObject({ 'cs-method': 'POST', 'sc-status': 200 });
      expect(lab.controller.counters('member1')).toMatchObject({ totalRequests: 1, failedRequests: 1, currentRequests: 0 });
      expect(lab.controller.counters('member2')).toMatchObject({ totalRequests: 1, failedRequests: 1, currentRequests: 0 });
      expect(lab.controller.counters('member3')).toMatchObject({ totalRequests: 1, failedRequests: 0, currentRequests: 0 });
    });
  });

  it('on, and every member fails to connect: the client gets the last failure', async () => {
    const topology: TopologyInput = { farm: { lab: { retryOnConnectFailure: true, timeouts: { connect: '7s' } } }, members: members({ name: 'member3', offline: true }) };
    await withLab(topology, async (lab) => {
      const res = await get(lab, '/', 'r1');
      await lab.settle();
      // member1 refused, member2 timed out, member3 refused last.
      expect(res.page).toMatchObject({ status: 502, substatus: 3, errorCode: '0x80072efd' });
      expect(logged(lab, 'arr', 'r1')).toHaveLength(1);
      expect(Math.abs(w3c(lab, 'arr', 'r1')['time-taken'] - 7000)).toBeLessThan(1000);
      for (const m of ['member1', 'member2', 'member3']) expect(lab.controller.counters(m)).toMatchObject({ totalRequests: 1, failedRequests: 1 });
    });
  });

  it('on: a failure after the connection was up is not retried (the member may have acted on it)', async () => {
    const topology: TopologyInput = {
      farm: { lab: { retryOnConnectFailure: true } },
      members: [{ name: 'member1', script: [{ route: '/', do: ['close-without-response'] }] }, { name: 'member2' }],
    };
    await withLab(topology, async (lab) => {
      const res = await get(lab, '/', 'r1');
      await lab.settle();
      expect(res.page).toMatchObject({ status: 502, substatus: 3, errorCode: '0x80072efe' });
      expect(logged(lab, 'member1', 'r1').map((r) => r.kind)).toEqual(['httperr']);
      expect(logged(lab, 'member2', 'r1')).toEqual([]);
    });
  });
});

/** A raw HTTP/1.1 exchange with the controller: every byte it sent and how the connection ended. */
function rawGet(lab: Lab, path: string, id: string): Promise<{ head: string; body: number; ending: 'fin' | 'rst' }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const { port } = lab.controller.endpoint;
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.write(`GET ${path} HTTP/1.1\r\nHost: arr\r\n${LAB_REQUEST_HEADER}: ${id}\r\nConnection: close\r\n\r\n`);
    });
    const done = (ending: 'fin' | 'rst') => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      resolve({ head: all.subarray(0, split).toString('latin1'), body: all.length - split - 4, ending });
      s.destroy();
    };
    s.on('data', (c) => chunks.push(c));
    s.on('end', () => done('fin'));
    s.on('error', () => done('rst'));
  });
}

describe('response buffering (responseBufferLimit, bufferChunkedResponses)', () => {
  const flush = (bytes: number, contentLength?: number) => ({ 'flush-then-close': { bytes, contentLength, closeAfter: '1s' } });

  it('on the wire: held, the client gets a whole 502 page; streaming, it gets the 200 cut short', async () => {
    const topology: TopologyInput = {
      farm: { protocol: { responseBufferLimit: 64 } },
      members: [{ name: 'member1', script: [{ route: '/below/', do: [flush(60_000, 200_000)] }, { route: '/above/', do: [flush(70_000, 200_000)] }] }],
    };
    await withLab(topology, async (lab) => {
      const below = await rawGet(lab, '/below/', 'b');
      const above = await rawGet(lab, '/above/', 'a');
      await lab.settle();
      expect(below.head).toMatch(/^HTTP\/1\.1 502 Bad Gateway\r\n/);
      expect(Number(/\r\nContent-Length: (\d+)/i.exec(below.head)?.[1])).toBe(below.body);
      expect(below.ending).toBe('fin');
      expect(above.head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(above.head).toMatch(/\r\nContent-Length: 200000\r\n/i);
      expect(above.body).toBeGreaterThan(64 * 1024);
      expect(above.body).toBeLessThan(200_000);

      expect(w3c(lab, 'arr', 'b')).toMatchObject({ 'sc-status': 502, 'sc-substatus': 3, 'sc-win32-status': 12152 });
      expect(w3c(lab, 'arr', 'a')).toMatchObject({ 'sc-status': 200, 'sc-substatus': 0, 'sc-win32-status': 12152 });
      for (const id of ['a', 'b']) expect(logged(lab, 'member1', id).map((r) => [r.kind, r.entry['sc-status']])).toEqual([['httperr', 200]]);

      await lab.stop();
      const rows = readW3c(lab.controller.files().w3svc[0]!).rows.map((r) => `${r['cs-uri-stem']} ${r['sc-status']} ${r['sc-substatus']} ${r['sc-win32-status']}`);
      expect(rows).toEqual(['/below/ 502 3 12152', '/above/ 200 0 12152']);
    });
  });

  it('the threshold is exact: responseBufferLimit KB of body are still held, one byte more is not; 0 streams the first byte', async () => {
    const topology = (limit: number): TopologyInput => ({
      farm: { protocol: { responseBufferLimit: limit } },
      members: [{ name: 'member1', script: [{ route: '/at/', do: [flush(64 * 1024, 200_000)] }, { route: '/over/', do: [flush(64 * 1024 + 1, 200_000)] }, { route: '/one/', do: [flush(1, 100)] }] }],
    });
    await withLab(topology(64), async (lab) => {
      expect((await rawGet(lab, '/at/', 'at')).head).toMatch(/^HTTP\/1\.1 502 /);
      expect((await rawGet(lab, '/over/', 'over')).head).toMatch(/^HTTP\/1\.1 200 /);
      expect((await rawGet(lab, '/one/', 'one')).head).toMatch(/^HTTP\/1\.1 502 /);
    });
    await withLab(topology(0), async (lab) => {
      expect((await rawGet(lab, '/one/', 'one')).head).toMatch(/^HTTP\/1\.1 200 /);
      await lab.settle();
      expect(w3c(lab, 'arr', 'one')).toMatchObject({ 'sc-status': 200, 'sc-win32-status': 12152 });
    });
  });

  it('bufferChunkedResponses="false" streams a chunked response at once; with a Content-Length it is held as usual', async () => {
    const topology = (bufferChunkedResponses: boolean): TopologyInput => ({
      farm: { protocol: { bufferChunkedResponses } },
      members: [{ name: 'member1', script: [{ route: '/chunked/', do: [flush(300)] }, { route: '/sized/', do: [flush(300, 5000)] }] }],
    });
    await withLab(topology(true), async (lab) => {
      expect((await rawGet(lab, '/chunked/', 'c')).head).toMatch(/^HTTP\/1\.1 502 /);
    });
    await withLab(topology(false), async (lab) => {
      const chunked = await rawGet(lab, '/chunked/', 'c');
      expect(chunked.head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(chunked.head).toMatch(/\r\nTransfer-Encoding: chunked/i);
      expect((await rawGet(lab, '/sized/', 's')).head).toMatch(/^HTTP\/1\.1 502 /);
      await lab.settle();
      expect(w3c(lab, 'arr', 'c')).toMatchObject({ 'sc-status': 200, 'sc-win32-status': 12152 });
      expect(w3c(lab, 'arr', 's')).toMatchObject({ 'sc-status': 502, 'sc-substatus': 3, 'sc-win32-status': 12152 });
    });
  });
});
