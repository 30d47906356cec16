import { describe, expect, it } from 'vitest';
import { w3cValue } from '../iis/w3c-format.ts';
import { CLASSIFICATION, classify, errorCodeOf, win32StatusOf } from '../proxy/failure-classification.ts';
import type { Lab, Topology } from '../lab/lab.ts';
import { get, readW3c, withLab } from './helpers.ts';
import { post } from './upload.ts';

/**
 * Every row of the failure table, produced for real through a lab: the client's page, the
 * proxy's W3SVC line (record and file) and the member's own log must each say it.
 */
interface RowCase {
  topology: Topology;
  /** Done while the request is in flight at the member. */
  during?: (lab: Lab) => void;
  /** Sends a POST of this many bytes instead of a GET. */
  bodyBytes?: number;
  member: 'none' | { w3c: { status: number; win32: number } } | { httperr: string };
}

const slow = (sleep: string) => [{ route: '/', do: [{ sleep }, { respond: {} }] }];

const cases: Record<string, RowCase> = {
  'no-server': {
    topology: { farm: { servers: [{ address: 'member1', availability: 'Unavailable' }] }, members: [{ name: 'member1' }] },
    member: 'none',
  },
  'receive-timeout': {
    topology: { farm: { protocol: { timeout: '00:00:30' } }, members: [{ name: 'member1', script: slow('45s') }] },
    member: { w3c: { status: 200, win32: 64 } },
  },
  'resolve-timeout': {
    topology: { members: [{ name: 'member1' }], resolver: { member1: 'timeout' } },
    member: 'none',
  },
  'syn-unanswered': {
    topology: { members: [{ name: 'member1', offline: 'silent' }] },
    member: 'none',
  },
  'connect-timeout': {
    topology: { farm: { protocol: { timeout: '00:00:10' } }, members: [{ name: 'member1', offline: 'silent' }] },
    member: 'none',
  },
  'send-timeout': {
    topology: { members: [{ name: 'member1', script: [{ route: '/', do: ['stop-reading', { sleep: '45s' }, { respond: {} }] }] }] },
    bodyBytes: 8 * 1024 * 1024,
    // The proxy's close queues behind the unsent body, so the member never learns it went (docs/arr-model.md).
    member: { w3c: { status: 200, win32: 0 } },
  },
  'name-not-resolved': {
    topology: { farm: { servers: [{ address: 'no-such-host' }] }, members: [{ name: 'member1' }] },
    member: 'none',
  },
  'connect-refused': {
    topology: { members: [{ name: 'member1', offline: true }] },
    member: 'none',
  },
  'closed-before-response': {
    topology: { members: [{ name: 'member1', script: [{ route: '/', do: ['close-without-response'] }] }] },
    member: { httperr: 'Connection_Dropped' },
  },
  'cut-inside-headers': {
    topology: { members: [{ name: 'member1', script: [{ route: '/', do: [{ 'send-raw': { data: 'HTTP/1.1 200 OK\r\nContent-Ty', then: 'reset' } }] }] }] },
    member: { httperr: 'Connection_Dropped' },
  },
  'invalid-response': {
    topology: { members: [{ name: 'member1', script: [{ route: '/', do: [{ 'send-raw': { data: 'this is not http\r\n\r\n', then: 'close' } }] }] }] },
    member: { httperr: 'Connection_Dropped' },
  },
  terminated: {
    topology: { members: [{ name: 'member1', script: [{ route: '/', do: [{ sleep: '20s' }, { respond: {} }] }] }] },
    during: (lab) => lab.controller.setAvailability('member1', 'UnavailableImmediately'),
    member: { w3c: { status: 200, win32: 64 } },
  },
  'cut-inside-body': {
    topology: { members: [{ name: 'member1', script: [{ route: '/', do: [{ 'flush-then-close': { bytes: 300, contentLength: 5000 } }] }] }] },
    member: { httperr: 'Connection_Dropped' },
  },
};

describe('failure classification table', () => {
  it('has a live case for every row and no case without a row', () => {
    expect(Object.keys(cases).sort()).toEqual(CLASSIFICATION.map((r) => r.id).sort());
  });

  for (const row of CLASSIFICATION) {
    it(`${row.id}: ${row.status}.${row.substatus} ${row.winhttp?.name ?? 'no server'}`, async () => {
      const c = cases[row.id]!;
      await withLab(c.topology, async (lab) => {
        const pending = c.bodyBytes ? post(lab, '/time/', 'r1', c.bodyBytes) : get(lab, '/time/', 'r1');
        if (c.during) {
          while (lab.member('member1').accepted === 0) await new Promise((r) => setImmediate(r));
          c.during(lab);
        }
        const res = await pending;
        await lab.settle();
        const hresult = `0x${errorCodeOf(row).toString(16).padStart(8, '0')}`;

        // The client reads ARR's detailed error page.
        expect(res.status).toBe(row.status);
        expect(res.page).toMatchObject({
          status: row.status,
          substatus: row.substatus,
          errorCode: hresult,
          module: 'ApplicationRequestRouting',
          notification: row.substatus === 4 ? 'MapRequestHandler' : 'ExecuteRequestHandler',
          description: row.winhttp?.text ?? 'No appropriate server could be found to route the request.',
        });

        // The proxy's W3SVC line.
        const proxy = lab.controller.records().filter((r) => r.meta.labRequest === 'r1');
        expect(proxy).toHaveLength(1);
        expect(proxy[0]!.kind).toBe('w3c');
        expect(proxy[0]!.entry).toMatchObject({ 'sc-status': row.status, 'sc-substatus': row.substatus, 'sc-win32-status': win32StatusOf(row) });

        // The member's view.
        const member = lab.member('member1').records().filter((r) => r.meta.labRequest === 'r1');
        if (c.member === 'none') expect(member).toHaveLength(0);
        else if ('w3c' in c.member) {
          expect(member.map((r) => r.kind)).toEqual(['w3c']);
          expect(member[0]!.entry).toMatchObject({ 'sc-status': c.member.w3c.status, 'sc-win32-status': c.member.w3c.win32 });
        } else {
          expect(member.map((r) => r.kind)).toEqual(['httperr']);
          expect(member[0]!.entry).toMatchObject({ 's-reason': c.member.httperr });
        }

        // The files on disk say the same as the records.
        await lab.stop();
        const [file] = lab.controller.files().w3svc;
        const rows = readW3c(file!).rows;
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({
          'sc-status': String(row.status),
          'sc-substatus': String(row.substatus),
          'sc-win32-status': String(win32StatusOf(row)),
          'time-taken': w3cValue(proxy[0]!.kind === 'w3c' ? proxy[0]!.entry['time-taken'] : undefined),
        });
        if (c.member !== 'none' && 'httperr' in c.member) {
          const httperr = readW3c(lab.member('member1').files().httperr[0]!).rows;
          expect(httperr).toHaveLength(1);
          expect(httperr[0]!['s-reason']).toBe(c.member.httperr);
        }
      });
    });
  }

  it('falls back to a visible "unclassified" row rather than guessing', () => {
    expect(classify({ phase: 'connect', kind: 'unreachable', responseStarted: false }).id).toBe('unclassified');
  });

  it('tells a connection closed before any byte from one cut inside the headers', () => {
    expect(classify({ phase: 'receive-headers', kind: 'reset', responseStarted: false }).winhttp?.code).toBe(12030);
    expect(classify({ phase: 'receive-headers', kind: 'reset', responseStarted: true }).winhttp?.code).toBe(12152);
  });
});
