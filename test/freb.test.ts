import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { renderFailedRequest } from '../iis/freb/freb-xml.ts';
import { errorCode, num, str } from '../iis/freb/trace.ts';
import { get, withLab } from './helpers.ts';

const golden = (name: string) => readFileSync(new URL(`./golden/${name}`, import.meta.url), 'latin1');

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', removeNSPrefix: false, parseTagValue: false, trimValues: false });

describe('Failed Request Tracing files', () => {
  it('lays out a trace byte for byte as iisfreb.dll does', () => {
    const at = Date.UTC(2011, 6, 18, 16, 50, 21, 33);
    const xml = renderFailedRequest(
      {
        url: 'http://test:80/time/', siteId: 1, appPoolId: 'DefaultAppPool', processId: 1432, threadId: 2212, verb: 'GET',
        activityId: '{800004CF-0000-FD00-B63F-84710C7967BB}', failureReason: 'STATUS_CODE', status: 502, substatus: 3,
        triggerStatus: 502, triggerSubstatus: 3, timeTaken: 29889, computer: 'ARRSERVER',
      },
      [
        { name: 'ARR_SERVER_ROUTED', area: 'RequestRouting', level: 'Informational', at, fields: [str('RoutingReason', 'LoadBalancing'), str('Server', '192.168.0.216'), num('TotalRequests', 3)] },
        { name: 'MODULE_SET_RESPONSE_ERROR_STATUS', area: 'Module', level: 'Warning', at: at + 29889, fields: [num('HttpStatus', 502), errorCode('ErrorCode', 0x80072ee2, 'The operation timed out')] },
      ],
    );
    expect(xml).toBe(golden('fr-timeout.xml'));
    // The details the reference pins down.
    expect(xml.split('\r\n')[4]).toBe('               siteId="1"');
    expect(xml).toContain('<Data Name="ErrorCode">2147954402</Data>');
    expect(xml).toContain('<freb:Description Data="ErrorCode">The operation timed out&#xD; (0x80072ee2)</freb:Description>');
    expect(xml.endsWith('</failedRequest>')).toBe(true);
  });

  it('traces a 502.3 on the controller and, with a time-taken rule, the member request it correlates with', async () => {
    const topology = {
      farm: { protocol: { timeout: '00:00:30' } },
      members: [{ name: 'member1', script: [{ route: '/', do: [{ sleep: '45s' }, { respond: {} }] }] }],
    };
    await withLab(topology, async (lab) => {
      await get(lab, '/time/', 't1');
      await lab.settle();
      await lab.stop();
      const [arrFile] = lab.controller.files().freb!;
      const [memberFile] = lab.member('member1').files().freb!;
      expect(arrFile).toMatch(/arr\/inetpub\/logs\/FailedReqLogFiles\/W3SVC1\/fr000001\.xml$/);
      const arr = parser.parse(readFileSync(arrFile!, 'utf8')).failedRequest;
      expect(arr['@statusCode']).toBe('502.3');
      expect(arr['@failureReason']).toBe('STATUS_CODE');
      expect(Math.abs(Number(arr['@timeTaken']) - 30000)).toBeLessThan(1000);
      const events = arr.Event as { RenderingInfo: { Opcode: string }; EventData: { Data: { '@Name': string; '#text'?: string }[] } }[];
      expect(events.map((e) => e.RenderingInfo.Opcode)).toEqual([
        'GENERAL_REQUEST_START', 'GENERAL_REQUEST_HEADERS', 'ARR_SERVER_ROUTED',
        ...Array(6).fill('GENERAL_SET_REQUEST_HEADER'),
        'MODULE_SET_RESPONSE_ERROR_STATUS', 'GENERAL_RESPONSE_ENTITY_BUFFER', 'GENERAL_RESPONSE_HEADERS', 'GENERAL_FLUSH_RESPONSE_END', 'GENERAL_REQUEST_END',
      ]);
      const data = (e: (typeof events)[0]) => Object.fromEntries(e.EventData.Data.map((d) => [d['@Name'], d['#text'] ?? '']));
      expect(data(events[2]!)).toMatchObject({ RoutingReason: 'LoadBalancing', Server: 'member1', State: 'Active', TotalRequests: '1', CurrentRequests: '1' });
      expect(events.slice(3, 9).map((e) => data(e).HeaderName)).toEqual(['Max-Forwards', 'X-Forwarded-For', 'X-ARR-SSL', 'X-ARR-ClientCert', 'X-ARR-LOG-ID', 'Connection']);
      const logId = data(events[7]!).HeaderValue;
      expect(logId).toBe(lab.controller.records()[0]!.meta.arrLogId);
      expect(data(events[9]!)).toMatchObject({ ModuleName: 'ApplicationRequestRouting', Notification: '128', HttpStatus: '502', HttpSubStatus: '3', ErrorCode: '2147954402' });
      // The member's request was a 200: no status rule fires, so there is no member trace...
      expect(memberFile).toBeUndefined();
    });
  });

  it('writes the member trace under a time-taken rule, carrying the same X-ARR-LOG-ID and the flush error', async () => {
    const { Lab } = await import('../lab/lab.ts');
    const { tempDir } = await import('./helpers.ts');
    const { dir, cleanup } = tempDir();
    const lab = await Lab.start(
      { farm: { protocol: { timeout: '00:00:30' } }, members: [{ name: 'member1', script: [{ route: '/', do: [{ sleep: '45s' }, { respond: {} }] }] }] },
      { root: dir, timeScale: 0.001, freb: { statusCodes: '500-999', timeTaken: 20_000, maxLogFiles: 50 } },
    );
    try {
      await get(lab, '/time/', 't1');
      await lab.settle();
      await lab.stop();
      const member = parser.parse(readFileSync(lab.member('member1').files().freb![0]!, 'utf8')).failedRequest;
      expect(member['@failureReason']).toBe('TIME_TAKEN');
      expect(member['@statusCode']).toBe('200');
      const events = member.Event as { RenderingInfo: { Opcode: string }; EventData: { Data: { '@Name': string; '#text'?: string }[] } }[];
      const headers = events.find((e) => e.RenderingInfo.Opcode === 'GENERAL_REQUEST_HEADERS')!.EventData.Data;
      const text = [headers].flat().find((d) => d['@Name'] === 'Headers')!['#text']!;
      expect(text).toContain(`X-ARR-LOG-ID: ${lab.controller.records()[0]!.meta.arrLogId}`);
      const flush = [events.find((e) => e.RenderingInfo.Opcode === 'GENERAL_FLUSH_RESPONSE_END')!.EventData.Data].flat();
      expect(Object.fromEntries(flush.map((d) => [d['@Name'], d['#text']]))).toMatchObject({ BytesSent: '0', ErrorCode: String(0x800704cd) });
      expect(readFileSync(lab.member('member1').files().freb![0]!, 'utf8')).toContain('An operation was attempted on a nonexistent network connection.&#xD; (0x800704cd)');
    } finally {
      cleanup();
    }
  });

  it('keeps only the newest maxLogFiles traces', async () => {
    const { Lab } = await import('../lab/lab.ts');
    const { tempDir } = await import('./helpers.ts');
    const { dir, cleanup } = tempDir();
    const lab = await Lab.start({ members: [{ name: 'member1', offline: true }] }, { root: dir, timeScale: 0.001, freb: { statusCodes: '502', maxLogFiles: 3 } });
    try {
      for (let i = 0; i < 5; i++) await get(lab, '/', `m${i}`);
      await lab.stop();
      expect(lab.controller.files().freb!.map((f) => f.slice(-12))).toEqual(['fr000003.xml', 'fr000004.xml', 'fr000005.xml']);
    } finally {
      cleanup();
    }
  });
});
