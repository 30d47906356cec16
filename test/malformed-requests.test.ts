import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ANSWERS, answerBody } from '../iis/http-sys/answers.ts';
import { MALFORMED_REQUESTS, type MalformedRequest } from '../iis/http-sys/malformed-requests.ts';
import { Lab } from '../lab/lab.ts';
import { exchange, readW3c, tempDir } from './helpers.ts';

/** A page that reads the whole body before answering (rows under /read/ need one). */
const SCRIPT = [{ route: '/read/', do: ['read-body', { respond: {} }] }];

/** One member per distinct http.sys setting the table asks for. */
function memberFor(row: MalformedRequest): string {
  return row.settings ? `m-${Object.entries(row.settings).map(([k, v]) => `${k}-${v}`).join('-')}` : 'member';
}

describe('http.sys refuses malformed requests as Windows does', () => {
  const { dir, cleanup } = tempDir();
  let lab: Lab;
  beforeAll(async () => {
    const names = new Map<string, MalformedRequest['settings']>();
    for (const row of MALFORMED_REQUESTS) names.set(memberFor(row), row.settings);
    lab = await Lab.start({ members: [...names].map(([name, httpSys]) => ({ name, httpSys, script: SCRIPT })) }, { root: dir, timeScale: 0.001 });
  });
  afterAll(async () => {
    await lab.stop();
    cleanup();
  });

  it('covers at least 30 classes, each with its evidence', () => {
    expect(MALFORMED_REQUESTS.length).toBeGreaterThanOrEqual(30);
    expect(new Set(MALFORMED_REQUESTS.map((r) => r.id)).size).toBe(MALFORMED_REQUESTS.length);
  });

  it('writes its answers in the captured template, byte counts as captured', () => {
    expect(answerBody(ANSWERS['service-unavailable']).length).toBe(326);
    expect(answerBody(ANSWERS['invalid-verb']).length).toBe(326);
    expect(answerBody(ANSWERS['bad-request']).length).toBe(311);
    expect(answerBody(ANSWERS['invalid-url']).length).toBe(324);
    expect(answerBody(ANSWERS['length-required']).length).toBe(344);
  });

  for (const row of MALFORMED_REQUESTS) {
    it(`${row.id}: ${row.what}`, async () => {
      const member = lab.member(memberFor(row));
      const before = member.records().length;
      const { received, ended } = await exchange(member.endpoint.port, row.bytes, { shut: row.shut });
      await vi.waitFor(() => expect(member.records().length).toBe(before + 1), { timeout: 2000 });
      const record = member.records()[before]!;
      const expected = row.expect;
      if (expected.kind === 'w3c') {
        expect(record.kind).toBe('w3c');
        expect(record.entry).toMatchObject({ 'sc-status': expected.status, 'cs-uri-stem': expected.stem });
        if (expected.bodyOnly) {
          expect(received).not.toMatch(/^HTTP\//);
          expect(received).toContain('</html>');
          expect(ended).toBe('fin');
          return;
        }
        const rest = expected.interim ? received.slice(expected.interim.length) : received;
        if (expected.interim) expect(received.startsWith(expected.interim)).toBe(true);
        expect(rest).toMatch(new RegExp(`^HTTP/1\\.1 ${expected.status} `));
        const lines = rest.slice(0, rest.indexOf('\r\n\r\n')).split('\r\n');
        for (const line of expected.headers ?? []) expect(lines).toContain(line);
        return;
      }
      const answer = ANSWERS[expected.answer];
      const [head, body] = [received.slice(0, received.indexOf('\r\n\r\n')), received.slice(received.indexOf('\r\n\r\n') + 4)];
      expect(head.replace(/\r\nDate: [^\r]+/, '')).toBe(
        `HTTP/1.1 ${answer.status} ${answer.phrase}\r\nContent-Type: text/html; charset=us-ascii\r\nServer: Microsoft-HTTPAPI/2.0\r\nConnection: close\r\nContent-Length: ${answerBody(answer).length}`,
      );
      expect(body).toBe(answerBody(answer));
      expect(ended).toBe('fin');
      expect(record.kind).toBe('httperr');
      const e = record.entry as unknown as Record<string, unknown>;
      expect([e['cs-version'] ?? '-', e['cs-method'] ?? '-', e['cs-uri'] ?? '-']).toEqual(expected.fields);
      expect(e).toMatchObject({ 'sc-status': answer.status, 's-reason': expected.reason });
      expect(e['s-siteid']).toBe(expected.routed ? 1 : undefined);
    });
  }

  it('renders one HTTPERR line per refused request, parsed back field by field', async () => {
    const member = lab.member('member');
    await lab.stop();
    const refusedHere = MALFORMED_REQUESTS.filter((r) => !r.settings && r.expect.kind === 'httperr');
    const rows = member.files().httperr.flatMap((f) => readW3c(f).rows);
    expect(rows.length).toBe(refusedHere.length);
    expect(rows.map((r) => r['s-reason'])).toEqual(refusedHere.map((r) => (r.expect.kind === 'httperr' ? r.expect.reason : '')));
  });
});
