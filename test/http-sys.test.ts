import { connect, type Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { answerBytes } from '../iis/http-sys/answers.ts';
import { NonPagedPool, nonPagedPoolSchema } from '../iis/http-sys/nonpaged-pool.ts';
import { LAB_REQUEST_HEADER } from '../iis/host-request.ts';
import { Lab } from '../lab/lab.ts';
import { readW3c, tempDir } from './helpers.ts';

function raw(port: number, send: string): Promise<{ socket: Socket; received: () => Buffer; ended: Promise<'fin' | 'rst'> }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: '127.0.0.1', port }, () => {
      if (send) socket.write(send);
      resolve({ socket, received: () => Buffer.concat(chunks), ended });
    });
    const ended = new Promise<'fin' | 'rst'>((done) => {
      socket.on('end', () => done('fin'));
      socket.on('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNRESET' ? 'rst' : 'fin'));
    });
    socket.on('data', (c) => chunks.push(c));
  });
}

describe('http.sys', () => {
  it('answers a full queue with the canned 503, byte for byte', () => {
    const bytes = answerBytes('service-unavailable', new Date(Date.UTC(2026, 8, 2, 7, 33, 30)));
    const text = bytes.toString('latin1');
    expect(text.split('\r\n\r\n')[0]).toBe(
      'HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/html; charset=us-ascii\r\nServer: Microsoft-HTTPAPI/2.0\r\nDate: Wed, 02 Sep 2026 07:33:30 GMT\r\nConnection: close\r\nContent-Length: 326',
    );
    expect(Buffer.byteLength(text.split('\r\n\r\n').slice(1).join('\r\n\r\n'))).toBe(326);
  });

  it('closes an idle connection after connectionTimeout (Timer_ConnectionIdle) and a stalled request (Timer_HeaderWait), on the lab clock', async () => {
    const { dir, cleanup } = tempDir();
    const lab = await Lab.start({ members: [{ name: 'member1', httpSys: { connectionTimeout: '00:01:00' } }] }, { root: dir, timeScale: 0.001 });
    try {
      const port = lab.member('member1').endpoint.port;
      const idle = await raw(port, '');
      const partial = await raw(port, 'GET / HTTP/1.1\r\nHost: member1\r\nX-Slow: ');
      const t0 = lab.clock.now();
      expect(await idle.ended).toBe('fin');
      expect(await partial.ended).toBe('fin');
      // One connection timeout of nominal time, not a wall-clock one.
      expect(Math.round((lab.clock.now() - t0) / 1000)).toBe(60);
      await lab.stop();
      const rows = readW3c(lab.member('member1').files().httperr[0]!).rows;
      expect(rows.map((r) => r['s-reason']).sort()).toEqual(['Timer_ConnectionIdle', 'Timer_HeaderWait']);
      for (const r of rows) expect(r).toMatchObject({ 'cs-version': '-', 'cs-method': '-', 'cs-uri': '-', 'sc-status': '-', 's-siteid': '-', 's-queuename': '-' });
      // Connection lines are not requests: nothing to account for.
      expect(lab.member('member1').accepted).toBe(0);
      expect(lab.member('member1').logged).toBe(0);
    } finally {
      await lab.stop();
      cleanup();
    }
  });

  it('queues requests beyond the worker threads and refuses them beyond queueLength, on the wire', async () => {
    const { dir, cleanup } = tempDir();
    const script = [{ route: '/', do: [{ sleep: '10s' }, { respond: {} }] }];
    const lab = await Lab.start({ members: [{ name: 'member1', script, httpSys: { concurrency: 1, queueLength: 10 } }] }, { root: dir, timeScale: 0.001 });
    try {
      const port = lab.member('member1').endpoint.port;
      // The test is a lab party: its requests hold the clock's timers until they arrive, so the
      // worker cannot finish its 10 s (10 ms of wall time) before the twelfth request is in.
      const party = lab.clock.begin(undefined, true);
      const send = (id: string) =>
        party.run(() => {
          lab.clock.offer(id);
          return raw(port, `GET / HTTP/1.1\r\nHost: member1\r\n${LAB_REQUEST_HEADER}: ${id}\r\n\r\n`);
        });
      const held = await Promise.all(Array.from({ length: 11 }, (_, i) => send(`q${i + 1}`)));
      party.resume();
      while (lab.member('member1').accepted < 11) await new Promise((r) => setImmediate(r));
      const refused = await send('q12');
      expect(await refused.ended).toBe('fin');
      for (let i = 1; i <= 12; i++) party.run(() => lab.clock.withdraw(`q${i}`));
      party.finish();
      expect(refused.received().toString('latin1')).toMatch(/^HTTP\/1\.1 503 Service Unavailable\r\n[\s\S]*Server: Microsoft-HTTPAPI\/2\.0/);
      // Client_Reset: a waiting request whose client goes away leaves the queue.
      held[10]!.socket.destroy();
      for (const h of held.slice(0, 10)) h.socket.setTimeout(0);
      await lab.settle();
      const done = held.slice(0, 10).map((h) => h.received().toString('latin1').slice(0, 15));
      expect(done).toEqual(Array(10).fill('HTTP/1.1 200 OK'));
      for (const h of held) h.socket.destroy();
      await lab.stop();
      const reasons = lab.member('member1').records().map((r) => (r.kind === 'httperr' ? r.entry['s-reason'] : `${r.entry['sc-status']}`));
      expect(reasons.filter((r) => r === '200')).toHaveLength(10);
      expect(reasons.filter((r) => r === 'QueueFull')).toHaveLength(1);
      expect(reasons.filter((r) => r === 'Client_Reset')).toHaveLength(1);
    } finally {
      await lab.stop();
      cleanup();
    }
  });

  it('models the nonpaged pool: a new connection is refused once less than 20 MB would be free', () => {
    const pool = new NonPagedPool(nonPagedPoolSchema.parse({ sizeMB: 100, perConnectionKB: 1024, perRequestKB: 0, leakMBPerMinute: 10 }), 0);
    // 100 MB - 70 connections of 1 MB = 30 MB free; one more leaves 29.
    expect(pool.refuses(0, 70, 0)).toBe(false);
    // Five minutes of a 10 MB/min leak: 100 - 50 - 31 = 19 MB.
    expect(pool.refuses(5 * 60_000, 30, 0)).toBe(true);
    pool.setLeak(0, 5 * 60_000);
    expect(pool.refuses(5 * 60_000, 30, 0)).toBe(false);
  });

  it('ends a request whose body stops arriving (Timer_EntityBody) and a response the client will not read (Timer_MinBytesPerSecond)', async () => {
    const { dir, cleanup } = tempDir();
    const script = [{ route: '/big', do: [{ respond: { bodyBytes: 64 * 1024 * 1024 } }] }, { route: '/form', do: ['read-body', { respond: {} }] }];
    const lab = await Lab.start(
      { members: [{ name: 'member1', script, httpSys: { connectionTimeout: '00:00:30', minBytesPerSecond: 4_000_000 } }] },
      // Frozen time: making 64 MiB is real work, which would otherwise count at 1x in time-taken.
      { root: dir, timeScale: 0.001, deterministic: { seed: 1 } },
    );
    try {
      const port = lab.member('member1').endpoint.port;
      // Headers announce 1000 bytes of body; ten arrive, then nothing.
      const upload = await raw(port, 'POST /form HTTP/1.1\r\nHost: member1\r\nContent-Length: 1000\r\n\r\n0123456789');
      expect(await upload.ended).toBe('fin');
      // 64 MiB asked for and never read (more than loopback's socket buffers hold): at 4,000,000 B/s it may take 16.8 s.
      const reader = await raw(port, 'GET /big HTTP/1.1\r\nHost: member1\r\n\r\n');
      reader.socket.pause();
      // A paused client does not see its connection end until it reads: watch the member's log instead.
      while (lab.member('member1').logged < 2) await new Promise((r) => setTimeout(r, 5));
      await lab.settle();
      await lab.stop();
      const records = lab.member('member1').records();
      expect(records.find((r) => r.kind === 'httperr')!.entry).toMatchObject({ 'cs-method': 'POST', 'cs-uri': '/form', 's-reason': 'Timer_EntityBody' });
      const big = records.find((r) => r.kind === 'w3c')!.entry;
      expect(big).toMatchObject({ 'cs-uri-stem': '/big', 'sc-status': 200, 'sc-win32-status': 1236 });
      expect(Math.round(Number(big['time-taken']) / 1000)).toBe(17);
      expect(lab.member('member1').connectionEvents()).toMatchObject({ Timer_MinBytesPerSecond: 1 });
    } finally {
      await lab.stop();
      cleanup();
    }
  });
});
