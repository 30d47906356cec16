import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import type { LoggedRequest } from '../iis/log-records.ts';
import { httperrLine, w3cLine, type HttperrVariant } from '../iis/w3c-format.ts';
import type { HostHandle } from '../lab/host-driver.ts';
import type { LiveRequest } from './request-ring.ts';

/** One log line as the file holds it, and where. */
export interface LogLine {
  host: string;
  kind: 'W3SVC' | 'HTTPERR';
  file: string | undefined;
  line: number | undefined;
  text: string;
}

export interface FrebView {
  host: string;
  file: string;
  /** One line per trace event: time, event name, its data fields. */
  events: { at: string; name: string; data: string }[];
}

export interface Artifacts {
  logs: LogLine[];
  freb: FrebView[];
  /** The error page the client got (only kept for requests the lab's own client sent). */
  errorPage: string | undefined;
  /** The controller's WinHTTP trace block for the failure, when WinHTTP wrote one. */
  winhttp: string[];
}

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'Event' || name === 'Data' });

/**
 * What a request left behind on each host. Log lines are rendered from the records by the same
 * writers the hosts use (the files may still be in the write buffer); FREB files and the WinHTTP
 * trace are read from disk, found by the request's X-ARR-LOG-ID and ARR's logging instant.
 */
export async function artifactsOf(r: LiveRequest, hosts: readonly HostHandle[], root: string, variant: HttperrVariant): Promise<Artifacts> {
  const logs = [logLine(r.controller, variant, root), ...r.members.map((m) => logLine(m.record, variant, root))];
  const freb: FrebView[] = [];
  if (r.arrLogId) {
    for (const host of hosts) {
      for (const file of [...(host.files().freb ?? [])].reverse()) {
        const text = await readFile(file, 'utf8').catch(() => '');
        if (!text.includes(r.arrLogId)) continue;
        freb.push({ host: host.name, file: relative(root, file), events: frebEvents(text) });
        break;
      }
    }
  }
  const controller = hosts.find((h) => h.kind === 'controller');
  const winhttp = r.controller.meta.failure && controller ? await winhttpBlock(controller.files().winhttp ?? [], r.at) : [];
  const body = r.client?.body;
  return { logs, freb, errorPage: body && (r.client?.status ?? 0) >= 400 ? body : undefined, winhttp };
}

function logLine(record: LoggedRequest, variant: HttperrVariant, root: string): LogLine {
  const where = record.meta.where;
  const text = record.kind === 'w3c' ? w3cLine(record.meta.at, record.entry) : httperrLine(record.meta.at, record.entry, variant);
  return { host: record.meta.host, kind: record.kind === 'w3c' ? 'W3SVC' : 'HTTPERR', file: where && relative(root, where.file), line: where?.line, text: text.trimEnd() };
}

function frebEvents(xml: string): FrebView['events'] {
  const doc = parser.parse(xml) as { failedRequest?: { Event?: FrebEvent[] } };
  return (doc.failedRequest?.Event ?? []).map((e) => ({
    at: String(e.System?.TimeCreated?.SystemTime ?? '').slice(11, 23),
    name: String(e.RenderingInfo?.Opcode ?? '?'),
    data: (e.EventData?.Data ?? []).filter((d) => d.Name !== 'ContextId').map((d) => `${d.Name}=${d['#text'] ?? ''}`).join(', '),
  }));
}

interface FrebEvent {
  System?: { TimeCreated?: { SystemTime?: string } };
  EventData?: { Data?: { Name: string; '#text'?: string | number }[] };
  RenderingInfo?: { Opcode?: string };
}

/**
 * The WinHTTP block written for this failure. Trace lines carry only a time of day: a block opens
 * with the call that failed (WinHttpReceiveResponse, WinHttpReadData, or the failed send or
 * resolve) stamped when it was made, and ends with the failure stamped when it came, which is the
 * instant ARR logs the request; the block whose end is nearest to that instant is the request's.
 */
const OPENS_BLOCK = /WinHttpReceiveResponse\(|WinHttpReadData\(|sys-req failed to (resolve|send)/;

async function winhttpBlock(files: string[], at: number): Promise<string[]> {
  const text = (await Promise.all(files.map((f) => readFile(f, 'utf8').catch(() => '')))).join('');
  const blocks: string[][] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line) continue;
    if (OPENS_BLOCK.test(line) || blocks.length === 0) blocks.push([]);
    blocks[blocks.length - 1]!.push(line);
  }
  const dayMs = (line: string) => {
    const m = /:(\d\d):(\d\d):(\d\d)\.(\d{3}) ::/.exec(line);
    return m ? ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number(m[4]) : NaN;
  };
  const want = at % 86_400_000;
  let best: string[] = [];
  let bestGap = Infinity;
  for (const block of blocks) {
    const gap = Math.abs(dayMs(block[block.length - 1]!) - want);
    if (gap < bestGap) [best, bestGap] = [block, gap];
  }
  return bestGap <= 1000 ? best : [];
}
