import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../lab/catalog.ts';
import { expectationFacts, type ExpectFact } from '../lab/decode/catalog-facts.ts';
import { decode, UnknownCodeError } from '../lab/decode/decode.ts';
import { HTTPERR_REASONS } from '../lab/decode/httperr-reasons.ts';
import { IIS_STATUS_CODES, iisStatusKey } from '../lab/decode/iis-status-codes.ts';
import { NotACodeError } from '../lab/decode/parse-code.ts';
import { WIN32_CODES } from '../lab/decode/win32-codes.ts';
import { WINHTTP_CODES, WININET_CODES } from '../lab/decode/winhttp-codes.ts';
import { CLASSIFICATION } from '../proxy/failure-classification.ts';
import { NO_SERVER_TEXT } from '../proxy/response-relay.ts';
import { WIN32, WINHTTP } from '../proxy/winhttp-errors.ts';
import { tempDir } from './helpers.ts';

let facts: ExpectFact[];
beforeAll(async () => {
  facts = expectationFacts(await loadCatalog());
});

const scenariosOf = (code: string, kind?: string) =>
  decode(code, facts)
    .readings.filter((r) => kind === undefined || r.kind === kind)
    .flatMap((r) => r.scenarios.map((s) => s.scenario));

describe('decode knowledge base', () => {
  it('takes the WinHTTP and Win32 codes the proxy reports from the proxy tables, not a copy', () => {
    for (const e of Object.values(WINHTTP)) {
      const entry = WINHTTP_CODES.find((c) => c.code === e.code);
      expect(entry, e.name).toBeDefined();
      expect(entry!.name).toBe(e.name);
      expect(entry!.text?.text).toBe(e.text);
    }
    for (const e of Object.values(WIN32)) {
      const entry = [...WIN32_CODES, ...WINHTTP_CODES].find((c) => c.code === e.code);
      expect(entry?.name, e.name).toBe(e.name);
    }
  });

  it('holds every code of docs/reference.md §3.1 and §3.3 once, each fact with an evidence level and a source', () => {
    expect(WINHTTP_CODES.map((c) => c.code)).toEqual([12001, 12002, 12004, 12005, 12006, 12007, 12017, 12029, 12030, 12032, 12044, 12152, 12156, 12157, 12175, 12181, 12182, 12183, 12184]);
    for (const c of [0, 64, 121, 995, 1225, 1226, 1229, 1231, 1236, 1460, 10053, 10054, 10060, 10061, 10065]) expect(WIN32_CODES.some((w) => w.code === c), String(c)).toBe(true);
    for (const table of [WINHTTP_CODES, WININET_CODES, WIN32_CODES]) {
      const codes = table.map((c) => c.code);
      expect(new Set(codes).size).toBe(codes.length);
    }
    expect(new Set(IIS_STATUS_CODES.map(iisStatusKey)).size).toBe(IIS_STATUS_CODES.length);
    expect(new Set(HTTPERR_REASONS.map((r) => r.reason)).size).toBe(HTTPERR_REASONS.length);
    const cited = [
      ...WINHTTP_CODES.flatMap((c) => [c.meaning, c.text]),
      ...WININET_CODES.flatMap((c) => [c.meaning, c.note]),
      ...WIN32_CODES.flatMap((c) => [c.text, c.seen]),
      ...IIS_STATUS_CODES.flatMap((c) => [...c.kb, ...c.notes]),
      ...HTTPERR_REASONS.flatMap((r) => [r.meaning, r.sent, r.example]),
    ].filter((c) => c !== undefined);
    for (const c of cited) {
      expect(['V', 'C', 'S', 'I', 'U']).toContain(c.evidence);
      expect(c.source.length, c.text).toBeGreaterThan(2);
      expect(c.text.length).toBeGreaterThan(0);
    }
  });

  it('decodes every code the classification table reports and every code the catalog expects', () => {
    for (const row of CLASSIFICATION) {
      expect(decode(`${row.status}.${row.substatus}`, facts).readings.length, row.id).toBeGreaterThan(0);
      if (row.winhttp) expect(decode(String(row.winhttp.code), facts).readings[0]!.text?.text).toBe(row.winhttp.text);
      if (row.cause) expect(decode(String(row.cause.code), facts).readings.length, `${row.id} cause`).toBeGreaterThan(0);
    }
    expect(facts.length).toBeGreaterThan(0);
    for (const f of facts) expect(() => decode(f.value, facts), `${f.scenario}: ${f.field} ${f.value}`).not.toThrow();
  });
});

describe('decode', () => {
  it('reads an HRESULT in hex, in FREB decimal and signed as the same WinHTTP error, with every form', () => {
    for (const input of ['0x80072ee2', '0x80072EE2', '2147954402', '-2147012894']) {
      const [first] = decode(input, facts).readings;
      expect(first!.kind, input).toBe('winhttp');
      expect(first!.name).toBe('ERROR_WINHTTP_TIMEOUT');
      expect(first!.text).toEqual({ text: 'The operation timed out', evidence: 'V', source: 'IMG-502' });
    }
    const forms = Object.fromEntries(decode('12002', facts).readings[0]!.forms.map((f) => [f.label, f.value]));
    expect(Object.values(forms)).toEqual(expect.arrayContaining(['12002 (0x2ee2)', '0x80072ee2', '2147954402', '12002', 'The operation timed out (0x80072ee2)']));
  });

  it('shows every reading of an ambiguous number: 12002 is WinHTTP and WinINet, and says which ARR uses', () => {
    const d = decode('12002', facts);
    expect(d.readings.map((r) => [r.kind, r.name])).toEqual([
      ['winhttp', 'ERROR_WINHTTP_TIMEOUT'],
      ['wininet', 'ERROR_INTERNET_TIMEOUT'],
    ]);
    expect(decode('12030', facts).readings.map((r) => r.name)).toEqual(['ERROR_WINHTTP_CONNECTION_ERROR', 'ERROR_INTERNET_CONNECTION_ABORTED']);
  });

  it('shows how ARR shows a WinHTTP error, with the row evidence, and which scenarios produce it', () => {
    const r = decode('0x80072ee2', facts).readings[0]!;
    const timeout = r.arr.find((m) => m.row === 'receive-timeout')!;
    expect(timeout).toMatchObject({ relation: 'reported', evidence: 'V', w3svc: '502 3 12002' });
    expect(timeout.page).toMatchObject({ heading: 'HTTP Error 502.3 - Bad Gateway', description: 'The operation timed out', errorCode: '0x80072ee2' });
    const slow = r.scenarios.find((s) => s.scenario === 'slow-page-timeout')!;
    expect(slow.where).toEqual(expect.arrayContaining([expect.stringContaining('client page Error Code 0x80072ee2'), expect.stringContaining('proxy W3SVC sc-win32-status 12002')]));
    expect(r.scenarios.map((s) => s.scenario)).not.toContain('slow-page-timeout-raised');
  });

  it('decodes Win32 and Winsock numbers: 64 on the member, 10054 beneath the WinHTTP error, 0 for 502.4', () => {
    const netname = decode('64', facts).readings;
    expect(netname.map((r) => r.name)).toEqual(['ERROR_NETNAME_DELETED']);
    expect(netname[0]!.text?.text).toBe('The specified network name is no longer available.');
    expect(scenariosOf('64')).toContain('slow-page-timeout');

    const reset = decode('10054', facts).readings[0]!;
    expect(reset.title).toBe('Winsock error 10054');
    expect(reset.arr.find((m) => m.row === 'closed-before-response')?.relation).toBe('cause');

    const success = decode('0', facts).readings;
    expect(success.map((r) => r.name)).toEqual(['ERROR_SUCCESS']);
    const noServer = success[0]!.arr.find((m) => m.row === 'no-server')!;
    expect(noServer).toMatchObject({ relation: 'reported', w3svc: '502 4 0' });
    expect(noServer.page).toMatchObject({ description: NO_SERVER_TEXT, errorCode: '0x00000000', notification: 'MapRequestHandler' });
    expect(scenariosOf('0x00000000')).toContain('all-members-unavailable');
  });

  it('decodes IIS status.substatus with the KB 943891 texts, the ARR rows and the scenarios', () => {
    const r = decode('502.3', facts).readings[0]!;
    expect(r.kind).toBe('iis-status');
    expect(r.text?.text).toBe('Bad Gateway: Forwarder Connection Error (ARR).');
    expect(r.notes.map((n) => n.text)).toContain('WinHTTP asynchronous completion failure (ARR) (wording added for ARR 3.0.1916)');
    expect(r.arr.map((m) => m.row).sort()).toEqual(CLASSIFICATION.filter((c) => c.substatus === 3).map((c) => c.id).concat('unclassified').sort());
    expect(r.forms).toContainEqual({ label: 'FREB statusCode', value: '502.3' });
    expect(scenariosOf('502.3')).toEqual(expect.arrayContaining(['slow-page-timeout', 'response-close', 'member-offline', 'partial-flush-close']));
    expect(scenariosOf('502.3')).not.toContain('all-members-unavailable');
    expect(scenariosOf('502.4')).toContain('all-members-unavailable');
    expect(decode('502', facts).readings[0]!.notes.map((n) => n.text)).toContain('502.4: No server (ARR) (wording added for ARR 3.0.1916)');
  });

  it('decodes an HTTPERR reason, whatever its case, and a W3SVC status triple', () => {
    for (const input of ['Connection_Dropped', 'connection_dropped']) {
      const r = decode(input, facts).readings[0]!;
      expect(r.kind).toBe('httperr-reason');
      expect(r.name).toBe('Connection_Dropped');
    }
    expect(scenariosOf('Connection_Dropped')).toEqual(expect.arrayContaining(['response-close', 'partial-flush-close']));
    const triple = decode('200.0.64', facts).readings;
    expect(triple.map((r) => r.kind)).toEqual(['http-status', 'win32']);
    // The status reading lists the scenarios that log 200 0 64 on one line, not every 200.
    expect(triple[0]!.scenarios.map((s) => s.scenario)).toContain('slow-page-timeout');
    expect(triple[0]!.scenarios.map((s) => s.scenario)).not.toContain('slow-page-timeout-raised');
    expect(decode('502 3 12002', facts).readings.map((r) => r.name)).toEqual(['502.3 Bad Gateway', 'ERROR_WINHTTP_TIMEOUT', 'ERROR_INTERNET_TIMEOUT']);
  });

  it('finds the producing scenarios by reading the catalog it is given', async () => {
    const { dir, cleanup } = tempDir();
    try {
      writeFileSync(
        join(dir, 'refused.yaml'),
        [
          'name: decode-probe',
          'description: a probe catalog',
          'suites: [probe]',
          'members: [{ name: m1, offline: true }]',
          'requests:',
          '  - path: /x',
          '    expect:',
          '      proxy: { w3c: { sc-win32-status: 12029 } }',
        ].join('\n'),
      );
      const own = expectationFacts(await loadCatalog(dir));
      expect(decode('12029', own).readings[0]!.scenarios).toEqual([{ scenario: 'decode-probe', where: ['proxy W3SVC sc-win32-status 12029 (step 1)'] }]);
      expect(decode('12002', own).readings[0]!.scenarios).toEqual([]);
    } finally {
      cleanup();
    }
  });

  it('refuses unknown codes and non-codes with a message that says what it knows', () => {
    expect(() => decode('0x80070005', facts)).toThrow(UnknownCodeError);
    expect(() => decode('0x80070005', facts)).toThrow(/HRESULT_FROM_WIN32\(5\).*docs\/reference.md §3/);
    expect(() => decode('0x80004005', facts)).toThrow(/not a FACILITY_WIN32 HRESULT/);
    expect(() => decode('Teleported', facts)).toThrow(/not an HTTPERR reason/);
    expect(() => decode('777.1', facts)).toThrow(/not an IIS status/);
    expect(() => decode('1.5e3', facts)).toThrow(NotACodeError);
    expect(() => decode('99999', facts)).toThrow(/neither a Win32 code .* nor an error HRESULT/);
  });
});

describe('arr-lab decode', () => {
  const bin = new URL('../bin/arr-lab.mjs', import.meta.url).pathname;
  const arrLab = (...args: string[]) => {
    const r = spawnSync(process.execPath, [bin, 'decode', ...args], { encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it('prints the readings with evidence, as text and as JSON', () => {
    const text = arrLab('0x80072ee2');
    expect(text.code).toBe(0);
    expect(text.out).toContain('1. WinHTTP error 12002  ERROR_WINHTTP_TIMEOUT');
    expect(text.out).toContain('The operation timed out  [V IMG-502]');
    expect(text.out).toContain('2. WinINet error 12002  ERROR_INTERNET_TIMEOUT');
    expect(text.out).toContain("slow-page-timeout: client page Error Code 0x80072ee2 (step 1)");
    const json = JSON.parse(arrLab('502.4', '--json').out);
    expect(json.readings[0]).toMatchObject({ kind: 'iis-status', name: '502.4 Bad Gateway' });
    expect(text.out).not.toContain('never writes it');
  });

  it('says when the lab never writes a code it explains', () => {
    const abandoned = arrLab('Connection_Abandoned_By_AppPool');
    expect(abandoned.out).toContain('lab         never writes it: explained for real logs, not reproducible here');
    expect(JSON.parse(arrLab('Connection_Abandoned_By_AppPool', '--json').out).readings[0]).toMatchObject({ notProducedByLab: true });
    expect(arrLab('Connection_Dropped').out).not.toContain('never writes it');
  });

  it('exits 1 with a clear message for an unknown code', () => {
    const r = arrLab('0x80070005');
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toContain('arr-lab decode: 0x80070005 is HRESULT_FROM_WIN32(5), and 5 is not in the lab');
  });
});
