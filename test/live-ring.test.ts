import { describe, expect, it } from 'vitest';
import type { LoggedRequest } from '../iis/log-records.ts';
import { RequestRing } from '../live/request-ring.ts';

const TIMEOUTS = { resolve: 30_000, connect: 30_000, send: 30_000, receive: 30_000, synGiveUp: 21_000 };

function w3c(host: string, seq: number, arrLogId: string, status = 200): LoggedRequest {
  return {
    kind: 'w3c',
    meta: { host, seq, labRequest: undefined, arrLogId, at: 1_000_000 + seq },
    entry: {
      's-ip': '127.0.0.1', 'cs-method': 'GET', 'cs-uri-stem': '/', 'cs-uri-query': undefined, 's-port': 80, 'cs-username': undefined,
      'c-ip': '127.0.0.1', 'cs(User-Agent)': undefined, 'cs(Referer)': undefined, 'sc-status': status, 'sc-substatus': 0, 'sc-win32-status': 0, 'time-taken': 5,
    },
  };
}

describe('the request ring', () => {
  it('keeps the last N requests, joins member lines that come before or after ARR\'s, and stays bounded', () => {
    const ring = new RequestRing(10);
    for (let i = 1; i <= 50; i++) {
      // A healthy request: the member logs first; every third one the member logs after ARR.
      if (i % 3 !== 0) ring.memberLogged('member1', w3c('member1', i, `g${i}`));
      ring.controllerLogged(w3c('arr', i, `g${i}`), TIMEOUTS);
      if (i % 3 === 0) ring.memberLogged('member2', w3c('member2', i, `g${i}`));
    }
    // Member lines whose ARR line never comes (ARR crashed, say) wait in a bounded side table.
    for (let i = 0; i < 100; i++) ring.memberLogged('member1', w3c('member1', 1000 + i, `orphan${i}`));
    expect(ring.total).toBe(50);
    expect(ring.size).toBe(10);
    expect(ring.get(40)).toBeUndefined();
    expect(ring.get(41)?.members.map((m) => m.name)).toEqual(['member1']);
    expect(ring.get(42)?.members.map((m) => m.name)).toEqual(['member2']);
    expect(ring.since(45, 100).map((r) => r.id)).toEqual([46, 47, 48, 49, 50]);
    expect(ring.since(0, 3).map((r) => r.id)).toEqual([48, 49, 50]);
    ring.controllerLogged(w3c('arr', 51, 'orphan99'), TIMEOUTS);
    expect(ring.get(51)?.members).toHaveLength(1);
    ring.controllerLogged(w3c('arr', 52, 'orphan0'), TIMEOUTS);
    expect(ring.get(52)?.members).toHaveLength(0);
  });
});
