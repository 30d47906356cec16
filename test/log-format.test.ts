import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HostLogs, HTTPERR_TRUNCATE_SIZE, httperrDir, w3svcDir } from '../iis/host-logs.ts';
import type { HttperrEntry, RecordMeta, W3cEntry } from '../iis/log-records.ts';
import { directives, httperrLine, W3SVC_DEFAULT_FIELDS, w3cLine, w3cValue } from '../iis/w3c-format.ts';
import { readW3c, tempDir } from './helpers.ts';

const at = Date.UTC(2011, 6, 18, 16, 51, 6, 789);

const entry: W3cEntry = {
  's-ip': '192.168.0.216', 'cs-method': 'GET', 'cs-uri-stem': '/time/', 'cs-uri-query': undefined, 's-port': 80,
  'cs-username': undefined, 'c-ip': '192.168.0.204', 'cs(User-Agent)': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)',
  'cs(Referer)': undefined, 'sc-status': 200, 'sc-substatus': 0, 'sc-win32-status': 64, 'time-taken': 45208,
};

const dropped: HttperrEntry = {
  'c-ip': '192.168.0.216', 'c-port': 49247, 's-ip': '192.168.0.217', 's-port': 80, 'cs-version': 'HTTP/1.1',
  'cs-method': 'GET', 'cs-uri': '/time/', streamid: undefined, 'sc-status': undefined, 's-siteid': 1,
  's-reason': 'Connection_Dropped', 's-queuename': 'DefaultAppPool',
};

describe('W3C and HTTPERR lines', () => {
  it('writes the IIS 10 default W3SVC line: UTC, no milliseconds, - for empty, + for spaces, CRLF', () => {
    expect(w3cLine(at, entry)).toBe(
      '2011-07-18 16:51:06 192.168.0.216 GET /time/ - 80 - 192.168.0.204 Mozilla/5.0+(Windows+NT+10.0;+Win64;+x64) - 200 0 64 45208\r\n',
    );
  });

  it('writes the default fields as any other field list would (the default line is written out by hand)', () => {
    const odd: W3cEntry = { ...entry, 'cs-uri-query': 'a=1&b=two words', 'cs-username': '', 'cs(Referer)': 'http://x/\x7f', 'time-taken': 0 };
    for (const e of [entry, odd]) expect(w3cLine(at, e)).toBe(w3cLine(at, e, [...W3SVC_DEFAULT_FIELDS]));
  });

  it('writes the directive block IIS writes at the top of a file', () => {
    expect(directives('Microsoft Internet Information Services 10.0', at, ['date', 'time'])).toBe(
      '#Software: Microsoft Internet Information Services 10.0\r\n#Version: 1.0\r\n#Date: 2011-07-18 16:51:06\r\n#Fields: date time\r\n',
    );
  });

  it('writes the HTTPERR Connection_Dropped line of the Response.Close() case in both field variants', () => {
    expect(httperrLine(at, dropped, 'legacy')).toBe(
      '2011-07-18 16:51:06 192.168.0.216 49247 192.168.0.217 80 HTTP/1.1 GET /time/ - 1 Connection_Dropped DefaultAppPool\r\n',
    );
    expect(httperrLine(at, dropped, 'streamid')).toBe(
      '2011-07-18 16:51:06 192.168.0.216 49247 192.168.0.217 80 HTTP/1.1 GET /time/ - - 1 Connection_Dropped DefaultAppPool\r\n',
    );
  });

  it('never lets a value break the line or the field count', () => {
    expect(w3cValue('a b\tc\r\nd')).toBe('a+b+c++d');
    expect(w3cValue('')).toBe('-');
    expect(w3cValue(0)).toBe('0');
  });
});

describe('host log files', () => {
  const meta = (t: number, seq: number): RecordMeta => ({ host: 'h', seq, labRequest: undefined, arrLogId: undefined, at: t });

  it('names W3SVC files by the UTC day of each entry and starts each with directives', () => {
    const { dir, cleanup } = tempDir();
    try {
      const logs = new HostLogs({ host: 'h', root: dir, siteId: 1, iisVersion: '10.0', httperrVariant: 'streamid' });
      const nearMidnight = Date.UTC(2026, 0, 31, 23, 59, 59);
      logs.w3c(meta(nearMidnight, 1), entry);
      logs.w3c(meta(nearMidnight + 2000, 2), entry);
      logs.close();
      expect(readdirSync(w3svcDir(dir, 1)).sort()).toEqual(['u_ex260131.log', 'u_ex260201.log']);
      const second = readW3c(`${w3svcDir(dir, 1)}/u_ex260201.log`);
      expect(second.directives[2]).toBe('#Date: 2026-02-01 00:00:01');
      expect(second.rows).toHaveLength(1);
      expect(second.rows[0]).toMatchObject({ date: '2026-02-01', time: '00:00:01', 'sc-win32-status': '64', 'time-taken': '45208' });
    } finally {
      cleanup();
    }
  });

  it('writes every line whole, in order and where its record says, across flushes, days written alternately and lines longer than the buffer', () => {
    const { dir, cleanup } = tempDir();
    try {
      const logs = new HostLogs({ host: 'h', root: dir, siteId: 1, iisVersion: '10.0', httperrVariant: 'streamid' });
      const days = [Date.UTC(2026, 0, 31, 23, 59, 59), Date.UTC(2026, 1, 1, 0, 0, 1)];
      const metas: RecordMeta[] = [];
      for (let i = 0; i < 3000; i++) {
        // Requests whose timelines straddle midnight are logged out of day order; a few carry a 40 KB user agent.
        const m = meta(days[(i >> 3) % 2]!, i + 1);
        metas.push(m);
        logs.w3c(m, { ...entry, 'sc-substatus': i, 'cs(User-Agent)': i % 997 === 5 ? 'x'.repeat(40_000) : entry['cs(User-Agent)'] });
      }
      logs.close();
      const text = new Map(readdirSync(w3svcDir(dir, 1)).sort().map((f) => [`${w3svcDir(dir, 1)}/${f}`, readFileSync(`${w3svcDir(dir, 1)}/${f}`, 'latin1').split('\r\n')]));
      for (const [i, m] of metas.entries()) {
        const line = text.get(m.where!.file)![m.where!.line - 1]!.split(' ');
        expect(line[12]).toBe(String(i));
        expect(line[9]!.length).toBe(i % 997 === 5 ? 40_000 : entry['cs(User-Agent)']!.length);
      }
      expect([...text.values()].map((lines) => lines.filter((l) => l !== '' && !l.startsWith('#')).length)).toEqual([1504, 1496]);
    } finally {
      cleanup();
    }
  });

  it('rolls HTTPERR over to httperr2.log at ErrorLogFileTruncateSize, never splitting a line', () => {
    const { dir, cleanup } = tempDir();
    try {
      const logs = new HostLogs({ host: 'h', root: dir, siteId: 1, iisVersion: '10.0', httperrVariant: 'legacy' });
      const line = httperrLine(at, dropped, 'legacy').length;
      const n = Math.ceil(HTTPERR_TRUNCATE_SIZE / line) + 10;
      for (let i = 0; i < n; i++) logs.httpErr(meta(at, i + 1), dropped);
      logs.close();
      const files = readdirSync(httperrDir(dir)).sort();
      expect(files).toEqual(['httperr1.log', 'httperr2.log']);
      const rows = files.map((f) => readW3c(`${httperrDir(dir)}/${f}`));
      expect(rows[0]!.directives[0]).toBe('#Software: Microsoft HTTP API 2.0');
      expect(readFileSync(`${httperrDir(dir)}/httperr1.log`).length).toBeLessThanOrEqual(HTTPERR_TRUNCATE_SIZE);
      expect(rows[0]!.rows.length + rows[1]!.rows.length).toBe(n);
      expect(rows[1]!.rows[0]).toMatchObject({ 's-reason': 'Connection_Dropped', 'sc-status': '-' });
    } finally {
      cleanup();
    }
  });
});
