import { readFileSync, readdirSync } from 'node:fs';
import { loadCatalog } from '../lab/catalog.ts';
import { runScenario } from '../lab/scenario/run.ts';
import { httperrFields, httperrLine, logStem, w3cValue } from '../iis/w3c-format.ts';
import { HostLogs, w3svcDir } from '../iis/host-logs.ts';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Lab, type TopologyInput } from '../lab/lab.ts';
import type { FrebRule } from '../iis/freb/freb-log.ts';
import { get, readW3c, tempDir } from './helpers.ts';

/**
 * What a real ARR farm writes, read back from the lab's files (issue 14): each test parses the
 * artifact on disk, not the structured record, so a writer that drifts fails here.
 */
const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, trimValues: false, htmlEntities: true });

type FrebEvent = { RenderingInfo: { Opcode: string }; EventData: { Data: { '@Name': string; '#text'?: string } | { '@Name': string; '#text'?: string }[] } };

function frebEvents(file: string): { root: Record<string, string>; events: FrebEvent[]; data: (name: string) => Record<string, string>[] } {
  const root = parser.parse(readFileSync(file, 'utf8')).failedRequest;
  const events = [root.Event].flat() as FrebEvent[];
  const data = (name: string) =>
    events.filter((e) => e.RenderingInfo.Opcode === name).map((e) => Object.fromEntries([e.EventData.Data].flat().map((d) => [d['@Name'], d['#text'] ?? ''])));
  return { root, events, data };
}

async function withTracedLab(topology: TopologyInput, freb: FrebRule, fn: (lab: Lab) => Promise<void>, timeScale = 0.001): Promise<void> {
  const { dir, cleanup } = tempDir();
  const lab = await Lab.start(topology, { root: dir, timeScale, freb });
  try {
    await fn(lab);
  } finally {
    await lab.stop();
    cleanup();
  }
}

const EVERY_STATUS: FrebRule = { statusCodes: '100-999', maxLogFiles: 50 };

describe('member trace of a request that ends in HTTPERR (docs/reference.md §6.7)', () => {
  it('writes the member FREB file for Response.Close, correlated by X-ARR-LOG-ID, beside its HTTPERR line', async () => {
    const topology = { members: [{ name: 'member1', script: [{ route: '/time/', do: ['close-without-response'] }] }] };
    await withTracedLab(topology, EVERY_STATUS, async (lab) => {
      // The client's headers in an order of its own; the member sees them as DOC-502's member did.
      await get(lab, '/time/', 'close', { 'user-agent': 'Mozilla/4.0', 'accept-language': 'en-US', accept: '*/*', 'accept-encoding': 'gzip, deflate' });
      await lab.settle();
      await lab.stop();
      const files = lab.member('member1').files() as { w3svc: string[]; httperr: string[]; freb: string[] };
      expect(files.w3svc).toEqual([]);
      const httperr = readW3c(files.httperr[0]!).rows;
      expect(httperr.map((r) => r['s-reason'])).toEqual(['Connection_Dropped']);
      expect(files.freb).toHaveLength(1);
      const trace = frebEvents(files.freb[0]!);
      expect(trace.root['@url']).toMatch(/^http:\/\/[^/]+\/time\/$/);
      const headers = trace.data('GENERAL_REQUEST_HEADERS')[0]!.Headers!;
      const logId = lab.controller.records()[0]!.meta.arrLogId!;
      expect(headers).toContain(`X-ARR-LOG-ID: ${logId}\r\n`);
      // Reference §7.5: names, spelling and order of the member's GENERAL_REQUEST_HEADERS.
      expect(headers.split('\r\n').slice(0, -1).map((l) => l.split(':')[0])).toEqual([
        'Connection', 'Content-Length', 'Accept', 'Accept-Encoding', 'Accept-Language', 'Host', 'Max-Forwards', 'User-Agent',
        'X-Original-URL', 'X-Forwarded-For', 'X-ARR-LOG-ID',
      ]);
      expect(headers).toMatch(/^Connection: Keep-Alive\r\nContent-Length: 0\r\n/);
      expect(trace.data('GENERAL_REQUEST_END')).toHaveLength(1);
    });
  });
  });

/** The data rows of a W3C file read as UTF-8 (logInUTF8), by its #Fields line. */
function utf8Rows(file: string): Record<string, string>[] {
  const lines = readFileSync(file, 'utf8').split('\r\n').filter((l) => l !== '');
  const fields = lines.filter((l) => l.startsWith('#Fields: ')).at(-1)!.slice(9).split(' ');
  return lines.filter((l) => !l.startsWith('#')).map((l) => Object.fromEntries(l.split(' ').map((v, i) => [fields[i]!, v])));
}

describe('W3SVC fields as IIS writes them (docs/reference.md §5.2)', () => {
  const topology = { members: [{ name: 'member1', script: [{ route: '/', do: [{ respond: {} }] }] }] };

  it("appends X-ARR-CACHE-HIT=0&X-ARR-LOG-ID=<guid> to the controller's cs-uri-query, the same id the member received", async () => {
    await withTracedLab(topology, EVERY_STATUS, async (lab) => {
      await get(lab, '/time/', 'plain');
      await get(lab, '/time/?a=1&b=2', 'query');
      await lab.settle();
      await lab.stop();
      const arr = utf8Rows(lab.controller.files().w3svc[0]!);
      const member = utf8Rows(lab.member('member1').files().w3svc[0]!);
      const ids = lab.controller.records().map((r) => r.meta.arrLogId);
      expect(arr.map((r) => r['cs-uri-query'])).toEqual([`X-ARR-CACHE-HIT=0&X-ARR-LOG-ID=${ids[0]}`, `a=1&b=2&X-ARR-CACHE-HIT=0&X-ARR-LOG-ID=${ids[1]}`]);
      expect(member.map((r) => r['cs-uri-query'])).toEqual(['-', 'a=1&b=2']);
      // The member's FREB file for that request carries the same GUID.
      const traced = (lab.member('member1').files().freb ?? []).map((f) => frebEvents(f).data('GENERAL_REQUEST_HEADERS')[0]!.Headers!);
      expect(traced.filter((h) => h.includes(`X-ARR-LOG-ID: ${ids[1]}\r\n`))).toHaveLength(1);
    });
  });

  it('logs cs-uri-stem decoded, + for spaces, UTF-8 once (not re-encoded), and a scenario User-Agent with + for spaces', async () => {
    await withTracedLab(topology, EVERY_STATUS, async (lab) => {
      await get(lab, '/caf%C3%A9%20menu/a%2Bb.htm?q=caf%C3%A9', 'encoded', { 'User-Agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)' });
      const member = lab.member('member1');
      await lab.settle();
      await lab.stop();
      const arr = utf8Rows(lab.controller.files().w3svc[0]!);
      expect(arr[0]).toMatchObject({ 'cs-uri-stem': '/café+menu/a+b.htm', 'cs(User-Agent)': 'Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64)' });
      expect(arr[0]!['cs-uri-query']).toMatch(/^q=caf%C3%A9&X-ARR-CACHE-HIT=0&/);
      const rows = utf8Rows(member.files().w3svc[0]!);
      expect(rows.map((r) => r['cs-uri-stem'])).toEqual(['/café+menu/a+b.htm']);
    });
  });

  it('reads a raw UTF-8 request target once: its bytes, not their Latin-1 reading, make the stem', () => {
    // Node's parser answers 400 to raw UTF-8 in a request line, so this is checked at the writer.
    const wire = Buffer.concat([Buffer.from('/'), Buffer.from('café menu', 'utf8'), Buffer.from('/')]).toString('latin1');
    expect(w3cValue(logStem(wire))).toBe('/café+menu/');
    expect(w3cValue(logStem('/100%25/%E9t%E9/'))).toBe('/100%25/%E9t%E9/');
    expect(logStem('/a%2fb/')).toBe('/a/b/');
  });
});

describe("ARR's detailed error page (docs/reference.md §4.1-4.2)", () => {
  it('is served with the captured headers, names the trace folder, and ends every line in " \\r\\n"', async () => {
    const topology = { members: [{ name: 'member1', script: [{ route: '/', do: ['close-without-response'] }] }] };
    await withTracedLab(topology, EVERY_STATUS, async (lab) => {
      const res = await get(lab, '/time/', 'page');
      expect(res.status).toBe(502);
      expect(res.headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'private', 'x-powered-by': 'ASP.NET' });
      expect(res.page).toMatchObject({ substatus: 3, errorCode: '0x80072efe', frebDirectory: 'C:\\inetpub\\logs\\FailedReqLogFiles' });
      const lines = res.body.split('\r\n');
      expect(lines.at(-1)).toBe('');
      expect(lines.slice(0, -1).filter((l) => !l.endsWith(' ') || l.includes('\n'))).toEqual([]);
      expect(res.body).not.toContain('This error means');
    });
  });
});

describe('the WinHTTP trace file (docs/reference.md §8)', () => {
  it('stamps WinHttpReceiveResponse when it was called and the failure when it came: 30 s apart for a receive timeout', async () => {
    const topology = { farm: { protocol: { timeout: '00:00:30' } }, members: [{ name: 'member1', script: [{ route: '/', do: [{ sleep: '45s' }, { respond: {} }] }] }] };
    await withTracedLab(topology, EVERY_STATUS, async (lab) => {
      await get(lab, '/time/', 'slow');
      await lab.settle();
      await lab.stop();
      const lines = readFileSync(lab.controller.files().winhttp![0]!, 'utf8').split('\r\n').filter((l) => l !== '');
      const stamp = (l: string) => {
        const [h, m, s] = l.slice('WINHTTP_MicrosoftWindowsWinHttp:'.length, l.indexOf(' ::')).split(':').map(Number);
        return (h! * 3600 + m! * 60 + s!) * 1000;
      };
      const call = lines.find((l) => l.includes('::WinHttpReceiveResponse('))!;
      const failed = lines.find((l) => l.includes('::sys-recver failed to receive headers'))!;
      expect(stamp(failed) - stamp(call)).toBeGreaterThanOrEqual(29_000);
      expect(stamp(failed) - stamp(call)).toBeLessThanOrEqual(31_000);
    });
  });
});

describe('which page a client gets (docs/reference.md §4.2-4.3)', () => {
  it('serves the custom 502 page, not the detailed one, where the client is not local to the error mode', async () => {
    const { dir, cleanup } = tempDir();
    const topology = { members: [{ name: 'member1', script: [{ route: '/', do: ['close-without-response'] }] }] };
    const lab = await Lab.start(topology, { root: dir, timeScale: 0.001, errorMode: 'Custom' });
    try {
      const res = await get(lab, '/time/', 'remote');
      expect(res.status).toBe(502);
      expect(res.page).toBeUndefined();
      expect(res.body).toContain('<title>502 - Web server received an invalid response while acting as a gateway or proxy server.</title>');
      expect(res.body).not.toContain('0x80072efe');
    } finally {
      await lab.stop();
      cleanup();
    }
  });
});

describe('Failed Request Tracing details (docs/reference.md §7)', () => {
  it('writes Notification as its flag with the name in the rendering, the full URL and connection ids, and a stylesheet beside the files', async () => {
    const topology = { members: [{ name: 'member1', script: [{ route: '/', do: ['close-without-response'] }] }] };
    await withTracedLab(topology, { statusCodes: '500-999', maxLogFiles: 50 }, async (lab) => {
      await get(lab, '/time/?a=1', 'n');
      await lab.settle();
      await lab.stop();
      const file = lab.controller.files().freb![0]!;
      const trace = frebEvents(file);
      expect(trace.data('MODULE_SET_RESPONSE_ERROR_STATUS')[0]).toMatchObject({ Notification: '128', HttpSubStatus: '3' });
      expect(readFileSync(file, 'utf8')).toContain('<freb:Description Data="Notification">EXECUTE_REQUEST_HANDLER</freb:Description>');
      const start = trace.data('GENERAL_REQUEST_START')[0]!;
      expect(start.RequestURL).toBe(`http://127.0.0.1:${lab.controller.endpoint.port}/time/?a=1`);
      expect(start.RequestURL).toBe(trace.root['@url']);
      expect(start.ConnId).toMatch(/^\d+$/);
      expect(start.RawConnId).toBe('0');
      // What went back: ARR's page as the entity, then its headers.
      expect(trace.data('GENERAL_RESPONSE_ENTITY_BUFFER')[0]!.Buffer).toContain('<h3>HTTP Error 502.3 - Bad Gateway</h3>');
      expect(trace.data('GENERAL_RESPONSE_HEADERS')[0]!.Headers).toMatch(/^Server: Microsoft-IIS\/10\.0\r\n[\s\S]*Content-Type: text\/html; charset=utf-8\r\n/);
      const xsl = readFileSync(join(dirname(file), 'freb.xsl'), 'utf8');
      expect(XMLValidator.validate(xsl)).toBe(true);
      expect(xsl).toContain('match="/failedRequest"');
    });
  });

  it('fires a time-taken rule when the limit expires, while the request still runs, and completes the same file when it ends', async () => {
    const topology = { farm: { protocol: { timeout: '00:00:30' } }, members: [{ name: 'member1', script: [{ route: '/', do: [{ sleep: '45s' }, { respond: {} }] }] }] };
    await withTracedLab(topology, { statusCodes: '500-999', timeTaken: 20_000, maxLogFiles: 50 }, async (lab) => {
      await get(lab, '/time/', 'hung');
      // ARR gave up at 30 s; the member's page sleeps on until 45 s (DOC-502) and has not been logged yet.
      const member = lab.member('member1');
      expect(member.records()).toEqual([]);
      const [file] = member.files().freb!;
      const early = frebEvents(file!);
      expect(early.root['@failureReason']).toBe('TIME_TAKEN');
      expect(early.root['@timeTaken']).toBe('20000');
      expect(early.data('GENERAL_REQUEST_END')).toEqual([]);
      await lab.settle();
      await lab.stop();
      expect(member.files().freb).toEqual([file]);
      const late = frebEvents(file!);
      expect(Number(late.root['@timeTaken'])).toBeGreaterThanOrEqual(44_000);
      expect(late.data('GENERAL_FLUSH_RESPONSE_END')[0]).toMatchObject({ BytesSent: '0', ErrorCode: String(0x800704cd) });
    });
  });
});

describe('N_Connections_Refused (docs/reference.md §6.4)', () => {
  it('reports the refused connections every 5 s, one line per period with its count and every other field "-"', async () => {
    // Through the scenario runner, whose client is a lab party: its requests hold the report timer.
    const [loaded] = (await loadCatalog()).filter((l) => l.scenario.name === 'connections-refused');
    const { dir, cleanup } = tempDir();
    try {
      const result = await runScenario(loaded!, { dir: join(dir, 'run'), timeScale: 0.001 });
      expect(result.checks.filter((c) => !c.pass)).toEqual([]);
      const [file] = readdirSync(join(result.dir, 'member1/Windows/System32/LogFiles/HTTPERR')).map((f) => join(result.dir, 'member1/Windows/System32/LogFiles/HTTPERR', f));
      const lines = readFileSync(file!, 'latin1').split('\r\n').filter((l) => l.includes('_Connections_Refused'));
      expect(lines.map((l) => l.split(' ').slice(2).join(' '))).toEqual([
        '- - - - - - - - - - 2_Connections_Refused -',
        '- - - - - - - - - - 3_Connections_Refused -',
      ]);
      const seconds = lines.map((l) => Date.parse(`${l.slice(0, 10)}T${l.slice(11, 19)}Z`) / 1000);
      expect(seconds[1]! - seconds[0]!).toBeGreaterThanOrEqual(5);
      expect(seconds[1]! - seconds[0]!).toBeLessThanOrEqual(15);
    } finally {
      cleanup();
    }
  });
});

describe('HTTPERR fields as http.sys writes them (docs/reference.md §6.3)', () => {
  it('truncates cs-uri at 4096 bytes in the file', async () => {
    // A 4200-byte segment is over http.sys's UrlSegmentMaxLength (260): both hosts lift it (0 = no limit).
    const lifted = { urlSegmentMaxLength: 0 };
    const topology = { controller: { httpSys: lifted }, members: [{ name: 'member1', httpSys: lifted, script: [{ route: '/', do: ['close-without-response'] }] }] };
    await withTracedLab(topology, EVERY_STATUS, async (lab) => {
      const path = `/long/${'a'.repeat(4200)}?q=1`;
      await get(lab, path, 'long');
      await lab.settle();
      await lab.stop();
      const [row] = readW3c(lab.member('member1').files().httperr[0]!).rows;
      expect(row!['cs-uri']).toBe(path.slice(0, 4096));
      expect(row!['s-reason']).toBe('Connection_Dropped');
    });
  });

  it('writes HTTP/?.? for a two-digit version and the scope id of an IPv6 address', () => {
    const entry = {
      'c-ip': '2001:4898:0:fff:0:5efe:10.164.167.30', 'c-port': 54697, 's-ip': 'fe80::5d3d:c591:3026:46ee%14', 's-port': 80,
      'cs-version': 'HTTP/1.10', 'cs-method': 'GET', 'cs-uri': '/', streamid: undefined, 'sc-status': 505, 's-siteid': undefined, 's-reason': 'Version_N/S' as const, 's-queuename': undefined,
    };
    const line = httperrLine(Date.UTC(2012, 1, 6, 13, 31, 17), httperrFields(entry), 'legacy');
    expect(line).toBe('2012-02-06 13:31:17 2001:4898:0:fff:0:5efe:10.164.167.30%0 54697 fe80::5d3d:c591:3026:46ee%14 80 HTTP/?.? GET / 505 - Version_N/S -\r\n');
  });
});

describe('a silent member: Windows gives up on the SYN at 21 s, or ARR first (docs/reference.md §8.2)', () => {
  for (const [timeout, winner, took, cause] of [
    ['00:00:30', 'the OS', 21_000, 'mapped (WSAETIMEDOUT) 10060 to (ERROR_WINHTTP_TIMEOUT) 12002'],
    ['00:00:10', "ARR's timer", 10_000, 'mapped (?) 1460 to (ERROR_WINHTTP_TIMEOUT) 12002'],
  ] as const) {
    it(`timeout ${timeout}: ${winner} ends the connect, as time-taken and the trace show`, async () => {
      const topology = { farm: { protocol: { timeout } }, members: [{ name: 'member1', offline: 'silent' as const }] };
      await withTracedLab(topology, EVERY_STATUS, async (lab) => {
        const res = await get(lab, '/time/', 'silent');
        expect(res.page).toMatchObject({ substatus: 3, errorCode: '0x80072ee2' });
        await lab.settle();
        await lab.stop();
        const [row] = utf8Rows(lab.controller.files().w3svc[0]!);
        expect(Math.abs(Number(row!['time-taken']) - took)).toBeLessThan(1000);
        const trace = readFileSync(lab.controller.files().winhttp![0]!, 'utf8');
        expect(trace).toContain(cause);
      });
    });
  }
});

describe('W3SVC restart (docs/reference.md §5.1)', () => {
  it('writes the directive block again mid-file when a host starts logging into an existing file', () => {
    const { dir, cleanup } = tempDir();
    try {
      const entry = {
        's-ip': '10.0.0.1', 'cs-method': 'GET', 'cs-uri-stem': '/', 'cs-uri-query': undefined, 's-port': 80, 'cs-username': undefined, 'c-ip': '10.0.0.2',
        'cs(User-Agent)': undefined, 'cs(Referer)': undefined, 'sc-status': 200, 'sc-substatus': 0, 'sc-win32-status': 0, 'time-taken': 1,
      };
      const at = Date.UTC(2026, 0, 15, 9, 0, 0);
      for (const offset of [0, 60_000]) {
        const logs = new HostLogs({ host: 'm', root: dir, siteId: 1, iisVersion: '10.0', httperrVariant: 'streamid' });
        logs.w3c({ host: 'm', seq: 1, labRequest: undefined, arrLogId: undefined, at: at + offset }, entry);
        logs.close();
      }
      const parsed = readW3c(join(w3svcDir(dir, 1), 'u_ex260115.log'));
      expect(parsed.rows).toHaveLength(2);
      expect(parsed.directives.filter((d) => d.startsWith('#Software: '))).toHaveLength(2);
      expect(parsed.directives.filter((d) => d.startsWith('#Date: '))).toEqual(['#Date: 2026-01-15 09:00:00', '#Date: 2026-01-15 09:01:00']);
    } finally {
      cleanup();
    }
  });
});
