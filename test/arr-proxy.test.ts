import { describe, expect, it } from 'vitest';
import { arrRequestHeaders, headerValue, type ClientRequest } from '../proxy/arr-request-headers.ts';
import { scriptSchema } from '../backends/script.ts';
import { protocolSchema } from '../proxy/farm-config.ts';
import { get, withLab } from './helpers.ts';

const echo = [{ route: '/', do: ['echo'] }];

describe('ARR on the wire', () => {
  it('sends the member the headers ARR sets, and the member logs the same X-ARR-LOG-ID', async () => {
    await withLab({ members: [{ name: 'member1', script: echo }] }, async (lab) => {
      const res = await get(lab, '/time/?a=1', 'h1', { 'user-agent': 'probe', 'x-arr-ssl': 'spoofed' });
      expect(res.status).toBe(200);
      const seen = JSON.parse(res.body) as { url: string; headers: Record<string, string> };
      const proxy = lab.controller.records().find((r) => r.meta.labRequest === 'h1')!;
      const member = lab.member('member1').records();
      await lab.settle();
      expect(seen.url).toBe('/time/?a=1');
      expect(seen.headers['max-forwards']).toBe('10');
      expect(seen.headers['x-forwarded-for']).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(seen.headers['x-original-url']).toBe('/time/?a=1');
      expect(seen.headers['x-arr-log-id']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(seen.headers['x-arr-log-id']).toBe(proxy.meta.arrLogId);
      expect(lab.member('member1').records()[0]!.meta.arrLogId).toBe(proxy.meta.arrLogId);
      expect(member).toHaveLength(1);
      // WinHTTP sends Content-Length: 0 on a bodyless GET (docs/reference.md §7.5).
      expect(seen.headers['content-length']).toBe('0');
      expect(seen.headers['user-agent']).toBe('probe');
      // Empty on plain HTTP, so not sent; a client cannot smuggle its own value through.
      expect(seen.headers['x-arr-ssl']).toBeUndefined();
      expect(seen.headers['x-arr-clientcert']).toBeUndefined();
      expect(seen.headers.connection).toBe('Keep-Alive');
      // The response: IIS's Server header replaces the member's, ARR adds itself to X-Powered-By.
      expect(res.headers.server).toBe('Microsoft-IIS/10.0');
      expect(res.headers['x-powered-by']).toBe('ARR/3.0');
    });
  });

  it('keeps the client Host header, or asks the member for itself with preserveHostHeader="false"', async () => {
    for (const preserve of [true, false]) {
      await withLab({ farm: { protocol: { preserveHostHeader: preserve } }, members: [{ name: 'member1', script: echo }] }, async (lab) => {
        const seen = JSON.parse((await get(lab, '/', 'h', { host: 'shop.contoso.test' })).body) as { headers: Record<string, string> };
        expect(seen.headers.host).toBe(preserve ? 'shop.contoso.test' : 'member1');
      });
    }
  });

  it('appends to an incoming X-Forwarded-For and decrements Max-Forwards; at zero answers 400.605', async () => {
    await withLab({ members: [{ name: 'member1', script: echo }] }, async (lab) => {
      const res = await get(lab, '/', 'x1', { 'x-forwarded-for': '10.1.1.1:5000', 'max-forwards': '3' });
      const seen = JSON.parse(res.body) as { headers: Record<string, string> };
      expect(seen.headers['x-forwarded-for']).toMatch(/^10\.1\.1\.1:5000, 127\.0\.0\.1:\d+$/);
      expect(seen.headers['max-forwards']).toBe('2');
      const loop = await get(lab, '/', 'x2', { 'max-forwards': '0' });
      expect(loop.status).toBe(400);
      expect(loop.page).toMatchObject({ substatus: 605, description: 'Maximum number of forwards' });
      await lab.settle();
      expect(lab.member('member1').records().filter((r) => r.meta.labRequest === 'x2')).toHaveLength(0);
      expect(lab.controller.records().find((r) => r.meta.labRequest === 'x2')!.entry).toMatchObject({ 'sc-status': 400, 'sc-substatus': 605 });
    });
  });

  it('passes the member status and body through, with X-Powered-By: ASP.NET, ARR/3.0', async () => {
    const script = [{ route: '/', do: [{ respond: { status: 404, body: 'nope', headers: { 'X-Custom': 'yes' } } }] }];
    await withLab({ members: [{ name: 'member1', script }] }, async (lab) => {
      const res = await get(lab, '/missing', 'p1');
      expect(res.status).toBe(404);
      expect(res.body).toBe('nope');
      expect(res.headers['x-custom']).toBe('yes');
      expect(res.headers['x-powered-by']).toEqual(['ASP.NET', 'ARR/3.0']);
      await lab.settle();
      expect(lab.controller.records()[0]!.entry).toMatchObject({ 'sc-status': 404, 'sc-substatus': 0, 'sc-win32-status': 0 });
      expect(lab.member('member1').records()[0]!.entry).toMatchObject({ 'sc-status': 404 });
    });
  });
});

describe('ARR request headers', () => {
  it('drops hop-by-hop headers and whatever the client Connection header names', () => {
    const req = {
      url: '/a',
      rawHeaders: ['Host', 'arr', 'Connection', 'keep-alive, X-Hop', 'X-Hop', 'drop me', 'Keep-Alive', 'timeout=5', 'Accept', 'text/html'],
      headers: { host: 'arr', connection: 'keep-alive, X-Hop', 'x-hop': 'drop me', 'keep-alive': 'timeout=5', accept: 'text/html' },
    } as ClientRequest;
    const out = arrRequestHeaders(req, { ip: '10.0.0.1', port: 4000 }, protocolSchema.parse({}), 'id', 10);
    // Known headers first in http.sys's order and spelling, then ARR's own in the order it sets them.
    expect(out).toEqual([
      ['Accept', 'text/html'], ['Host', 'arr'], ['Max-Forwards', '10'],
      ['X-Original-URL', '/a'], ['X-Forwarded-For', '10.0.0.1:4000'], ['X-ARR-LOG-ID', 'id'],
    ]);
    const noPort = arrRequestHeaders(req, { ip: '10.0.0.1', port: 4000 }, protocolSchema.parse({ includePortInXForwardedFor: false, xForwardedForHeaderName: 'X-Client-IP' }), 'id', 10);
    expect(headerValue(noPort, 'X-Client-IP')).toBe('10.0.0.1');
    expect(headerValue(noPort, 'X-Forwarded-For')).toBeUndefined();
  });
});

describe('weighted round robin', () => {
  it('shares requests by weight (200/100 sends twice as many to the first)', async () => {
    const farm = { servers: [{ address: 'member1', weight: 200 }, { address: 'member2', weight: 100 }] };
    await withLab({ farm, members: [{ name: 'member1' }, { name: 'member2' }] }, async (lab) => {
      for (let i = 0; i < 30; i++) await get(lab, '/', `w${i}`);
      await lab.settle();
      expect(lab.member('member1').records()).toHaveLength(20);
      expect(lab.member('member2').records()).toHaveLength(10);
      expect(lab.controller.counters('member1')).toMatchObject({ totalRequests: 20, currentRequests: 0, failedRequests: 0 });
    });
  });

  it('skips a server made unavailable while the lab runs, and 502.4 once none is left', async () => {
    await withLab({ members: [{ name: 'member1' }, { name: 'member2' }] }, async (lab) => {
      lab.controller.setAvailability('member1', 'UnavailableGracefully');
      for (let i = 0; i < 4; i++) expect((await get(lab, '/', `u${i}`)).status).toBe(200);
      lab.controller.setAvailability('member2', 'UnavailableImmediately');
      const none = await get(lab, '/', 'u9');
      expect(none.page).toMatchObject({ status: 502, substatus: 4, errorCode: '0x00000000' });
      await lab.settle();
      expect(lab.member('member1').records()).toHaveLength(0);
      expect(lab.member('member2').records()).toHaveLength(4);
    });
  });
});

describe('member scripts', () => {
  it('picks steps by route and by request number, and can be switched live', async () => {
    const script = [
      { route: '/flaky/', requests: '2,4-5', do: ['close-without-response'] },
      { route: '/flaky/', do: [{ respond: { status: 200, body: 'ok' } }] },
      { route: '/', do: [{ respond: { status: 201 } }] },
    ];
    await withLab({ members: [{ name: 'member1', script }] }, async (lab) => {
      const flaky: number[] = [];
      for (let i = 1; i <= 6; i++) flaky.push((await get(lab, '/flaky/x', `f${i}`)).status);
      expect(flaky).toEqual([200, 502, 200, 502, 502, 200]);
      expect((await get(lab, '/other', 'o1')).status).toBe(201);
      lab.member('member1').setScript(scriptSchema.parse([{ route: '/', do: [{ respond: { status: 203 } }] }]));
      expect((await get(lab, '/flaky/x', 'f7')).status).toBe(203);
      expect(() => scriptSchema.parse([{ route: '/', do: ['nope'] }])).toThrow(/unknown behaviour/);
      await lab.settle();
      const kinds = lab.member('member1').records().map((r) => r.kind);
      expect(kinds.filter((k) => k === 'httperr')).toHaveLength(3);
      expect(kinds.filter((k) => k === 'w3c')).toHaveLength(5);
    });
  });

  it('switches a member offline and back while the lab runs', async () => {
    await withLab({ members: [{ name: 'member1' }] }, async (lab) => {
      await lab.member('member1').setOnline(false);
      expect((await get(lab, '/', 'a')).page).toMatchObject({ substatus: 3, errorCode: '0x80072efd' });
      await lab.member('member1').setOnline(true);
      expect((await get(lab, '/', 'b')).status).toBe(200);
    });
  });
});
