import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { w3cValue } from '../iis/w3c-format.ts';
import type { FailureKind, Phase } from '../proxy/failure.ts';
import { CLASSIFICATION, classify, type ClassificationRow } from '../proxy/failure-classification.ts';
import { WinHttpTrace } from '../proxy/winhttp-trace.ts';
import type { Lab, TopologyInput } from '../lab/lab.ts';
import { get, readW3c, withLab } from './helpers.ts';
import { post } from './upload.ts';

/**
 * Every row of the failure table, produced for real through a lab: the row that matched (seen at
 * the controller's WinHTTP trace, which is handed the classified row), the client's page, the
 * proxy's W3SVC line (record and file) and the member's own log must each say it. The expected
 * values are written out here from the reference (§3.1, §3.2, §4.1), not read from the table.
 */
interface Expected {
  status: number;
  substatus: number;
  win32: number;
  errorCode: string;
  description: string;
  /** The Win32/Winsock code the WinHTTP trace shows beneath the error; absent for 502.4. */
  cause?: number;
}

const TIMEOUT: Expected = { status: 502, substatus: 3, win32: 12002, errorCode: '0x80072ee2', description: 'The operation timed out' };
const ABORTED: Expected = { status: 502, substatus: 3, win32: 12030, errorCode: '0x80072efe', description: 'The connection with the server was terminated abnormally' };
const INVALID: Expected = { status: 502, substatus: 3, win32: 12152, errorCode: '0x80072f78', description: 'The server returned an invalid or unrecognized response' };

interface RowCase {
  expected: Expected;
  topology: TopologyInput;
  /** Done while the request is in flight at the member. */
  during?: (lab: Lab) => void;
  /** Sends a POST of this many bytes instead of a GET. */
  bodyBytes?: number;
  member: 'none' | { w3c: { status: number; win32: number } } | { httperr: string };
}

const slow = (sleep: string) => [{ route: '/', do: [{ sleep }, { respond: {} }] }];

const cases: Record<string, RowCase> = {
  'no-server': {
    expected: { status: 502, substatus: 4, win32: 0, errorCode: '0x00000000', description: 'No appropriate server could be found to route the request.' },
    topology: { farm: { servers: [{ address: 'member1', availability: 'Unavailable' }] }, members: [{ name: 'member1' }] },
    member: 'none',
  },
  'receive-timeout': {
    expected: { ...TIMEOUT, cause: 1460 },
    topology: { farm: { protocol: { timeout: '00:00:30' } }, members: [{ name: 'member1', script: slow('45s') }] },
    member: { w3c: { status: 200, win32: 64 } },
  },
  'resolve-timeout': {
    expected: { ...TIMEOUT, cause: 1460 },
    topology: { members: [{ name: 'member1' }], resolver: { member1: 'timeout' } },
    member: 'none',
  },
  'syn-unanswered': {
    expected: { ...TIMEOUT, cause: 10060 },
    topology: { members: [{ name: 'member1', offline: 'silent' }] },
    member: 'none',
  },
  'connect-timeout': {
    expected: { ...TIMEOUT, cause: 1460 },
    topology: { farm: { protocol: { timeout: '00:00:10' } }, members: [{ name: 'member1', offline: 'silent' }] },
    member: 'none',
  },
  'send-timeout': {
    expected: { ...TIMEOUT, cause: 1460 },
    topology: { members: [{ name: 'member1', script: [{ route: '/', do: ['stop-reading', { sleep: '45s' }, { respond: {} }] }] }] },
    bodyBytes: 8 * 1024 * 1024,
    // The proxy's close queues behind the unsent body, so the member never learns it went (docs/arr-model.md).
    member: { w3c: { status: 200, win32: 0 } },
  },
  'name-not-resolved': {
    expected: { status: 502, substatus: 3, win32: 12007, errorCode: '0x80072ee7', description: 'The server name or address could not be resolved', cause: 11001 },
    topology: { farm: { servers: [{ address: 'no-such-host' }] }, members: [{ name: 'member1' }] },
    member: 'none',
  },
  'connect-refused': {
    expected: { status: 502, substatus: 3, win32: 12029, errorCode: '0x80072efd', description: 'A connection with the server could not be established', cause: 10061 },
    topology: { members: [{ name: 'member1', offline: true }] },
    member: 'none',
  },
  'closed-before-response': {
    expected: { ...ABORTED, cause: 10054 },
    topology: { members: [{ name: 'member1', script: [{ route: '/', do: ['close-without-response'] }] }] },
    member: { httperr: 'Connection_Dropped' },
  },
  'cut-inside-headers': {
    expected: { ...INVALID, cause: 10054 },
    topology: { members: [{ name: 'member1', script: [{ route: '/', do: [{ 'send-raw': { data: 'HTTP/1.1 200 OK\r\nContent-Ty', then: 'reset' } }] }] }] },
    member: { httperr: 'Connection_Dropped' },
  },
  'invalid-response': {
    expected: { ...INVALID, cause: 12152 },
    topology: { members: [{ name: 'member1', script: [{ route: '/', do: [{ 'send-raw': { data: 'this is not http\r\n\r\n', then: 'close' } }] }] }] },
    member: { httperr: 'Connection_Dropped' },
  },
  terminated: {
    expected: { status: 502, substatus: 3, win32: 12017, errorCode: '0x80072ef1', description: 'The operation has been canceled' },
    topology: { members: [{ name: 'member1', script: [{ route: '/', do: [{ sleep: '20s' }, { respond: {} }] }] }] },
    during: (lab) => lab.controller.setAvailability('member1', 'UnavailableImmediately'),
    member: { w3c: { status: 200, win32: 64 } },
  },
  'cut-inside-body': {
    expected: { ...INVALID, cause: 10054 },
    topology: { members: [{ name: 'member1', script: [{ route: '/', do: [{ 'flush-then-close': { bytes: 300, contentLength: 5000 } }] }] }] },
    member: { httperr: 'Connection_Dropped' },
  },
};

/** Rows only a real host produces: their live case is a scenario of the containers suite (test/containers.test.ts). */
const REAL_HOST_ROWS = ['connect-unreachable'];

describe('failure classification table', () => {
  it('has a live case for every row and no case without a row', () => {
    expect([...Object.keys(cases), ...REAL_HOST_ROWS].sort()).toEqual(CLASSIFICATION.map((r) => r.id).sort());
  });

  // Each failed trip hands its classified row to the WinHTTP trace: that is the row that matched.
  let matched: ClassificationRow[] = [];
  beforeEach(() => {
    matched = [];
    const failed = WinHttpTrace.prototype.failed;
    vi.spyOn(WinHttpTrace.prototype, 'failed').mockImplementation(function (this: WinHttpTrace, ...args: Parameters<WinHttpTrace['failed']>) {
      matched.push(args[1]);
      failed.apply(this, args);
    });
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  for (const [id, c] of Object.entries(cases)) {
    const e = c.expected;
    it(`${id}: ${e.status}.${e.substatus} ${e.win32} ${e.errorCode}`, async () => {
      await withLab(c.topology, async (lab) => {
        const pending = c.bodyBytes ? post(lab, '/time/', 'r1', c.bodyBytes) : get(lab, '/time/', 'r1');
        if (c.during) {
          while (lab.member('member1').accepted === 0) await new Promise((r) => setImmediate(r));
          c.during(lab);
        }
        const res = await pending;
        await lab.settle();

        // The row that matched. A 502.4 is decided before any trip, so nothing reaches WinHTTP.
        if (e.substatus === 4) expect(matched.map((r) => r.id)).toEqual([]);
        else expect(matched.map((r) => r.id)).toEqual([id]);
        if (e.cause !== undefined) expect(matched[0]!.cause?.code).toBe(e.cause);

        // The client reads ARR's detailed error page.
        expect(res.status).toBe(e.status);
        expect(res.page).toMatchObject({
          status: e.status,
          substatus: e.substatus,
          errorCode: e.errorCode,
          module: 'ApplicationRequestRouting',
          notification: e.substatus === 4 ? 'MapRequestHandler' : 'ExecuteRequestHandler',
          description: e.description,
        });

        // The proxy's W3SVC line.
        const proxy = lab.controller.records().filter((r) => r.meta.labRequest === 'r1');
        expect(proxy).toHaveLength(1);
        expect(proxy[0]!.kind).toBe('w3c');
        expect(proxy[0]!.entry).toMatchObject({ 'sc-status': e.status, 'sc-substatus': e.substatus, 'sc-win32-status': e.win32 });

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
          'sc-status': String(e.status),
          'sc-substatus': String(e.substatus),
          'sc-win32-status': String(e.win32),
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
    expect(classify({ phase: 'receive-body', kind: 'other', responseStarted: true }).id).toBe('unclassified');
  });

  it('tells a connection closed before any byte from one cut inside the headers', () => {
    expect(classify({ phase: 'receive-headers', kind: 'reset', responseStarted: false }).winhttp?.code).toBe(12030);
    expect(classify({ phase: 'receive-headers', kind: 'reset', responseStarted: true }).winhttp?.code).toBe(12152);
  });
});

const PHASES: readonly Phase[] = ['route', 'resolve', 'connect', 'send', 'receive-headers', 'receive-body'];
const KINDS: readonly FailureKind[] = ['no-server', 'timeout', 'unanswered', 'not-found', 'refused', 'unreachable', 'reset', 'closed', 'parse', 'aborted', 'other'];

describe('failure classification rows', () => {
  it('names only phases and kinds the forwarder has', () => {
    for (const row of CLASSIFICATION) {
      for (const phase of row.phases) expect(PHASES, row.id).toContain(phase);
      for (const kind of row.kinds) expect(KINDS, row.id).toContain(kind);
    }
  });

  it('never lets two rows match the same observation, so the order of the table decides nothing', () => {
    const overlaps: string[] = [];
    for (const phase of PHASES) {
      for (const kind of KINDS) {
        for (const responseStarted of [false, true]) {
          const rows = CLASSIFICATION.filter(
            (r) => r.phases.includes(phase) && r.kinds.includes(kind) && (r.responseStarted === undefined || r.responseStarted === responseStarted),
          );
          if (rows.length > 1) overlaps.push(`${phase}/${kind}/${responseStarted ? 'started' : 'not started'}: ${rows.map((r) => r.id).join(', ')}`);
        }
      }
    }
    expect(overlaps).toEqual([]);
  });

  // Which row each observation lands in, written out independently of the table.
  const expectations: [Phase, FailureKind, boolean, string][] = [
    ['route', 'no-server', false, 'no-server'],
    ['receive-headers', 'timeout', false, 'receive-timeout'],
    ['receive-body', 'timeout', true, 'receive-timeout'],
    ['resolve', 'timeout', false, 'resolve-timeout'],
    ['connect', 'timeout', false, 'connect-timeout'],
    ['connect', 'unanswered', false, 'syn-unanswered'],
    ['send', 'timeout', false, 'send-timeout'],
    ['resolve', 'not-found', false, 'name-not-resolved'],
    ['connect', 'refused', false, 'connect-refused'],
    ['send', 'reset', false, 'closed-before-response'],
    ['receive-headers', 'closed', false, 'closed-before-response'],
    ['receive-headers', 'reset', true, 'cut-inside-headers'],
    ['receive-headers', 'parse', false, 'invalid-response'],
    ['receive-body', 'parse', true, 'invalid-response'],
    ['receive-body', 'reset', true, 'cut-inside-body'],
    ['receive-body', 'closed', true, 'cut-inside-body'],
    ['connect', 'aborted', false, 'terminated'],
    ['receive-body', 'aborted', true, 'terminated'],
    ['connect', 'unreachable', false, 'connect-unreachable'],
    ['resolve', 'refused', false, 'unclassified'],
    ['receive-headers', 'other', false, 'unclassified'],
  ];
  for (const [phase, kind, responseStarted, id] of expectations) {
    it(`${phase} / ${kind} / ${responseStarted ? 'response started' : 'nothing received'} → ${id}`, () => {
      expect(classify({ phase, kind, responseStarted }).id).toBe(id);
    });
  }

  it('has an expectation for every row', () => {
    expect(new Set(expectations.map((e) => e[3]))).toEqual(new Set([...CLASSIFICATION.map((r) => r.id), 'unclassified']));
  });
});
