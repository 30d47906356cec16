import { readFileSync } from 'node:fs';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { Lab, type Topology } from '../lab/lab.ts';
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

async function withTracedLab(topology: Topology, freb: FrebRule, fn: (lab: Lab) => Promise<void>): Promise<void> {
  const { dir, cleanup } = tempDir();
  const lab = await Lab.start(topology, { root: dir, timeScale: 0.001, freb });
  try {
    await fn(lab);
  } finally {
    await lab.stop();
    cleanup();
  }
}

const EVERY_STATUS: FrebRule = { statusCodes: '100-999', maxLogFiles: 50 };

describe('member trace of a request that ends in HTTPERR (reference §6.7)', () => {
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
