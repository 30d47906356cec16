import { XMLParser } from 'fast-xml-parser';

/**
 * A Failed Request Tracing file (`fr000001.xml`, docs/reference.md §7) as diagnose needs it: the request,
 * its status, the member ARR routed it to, its X-ARR-LOG-ID and the error ARR set.
 */
export interface FrebTrace {
  url: string;
  /** Path of the URL, without the query. */
  path: string;
  verb: string;
  statusCode: string;
  timeTaken: number;
  /** TimeCreated of the last event: when the request ended (nominal, UTC). */
  endedAt: number;
  arrLogId: string | undefined;
  routedTo: string | undefined;
  /** MODULE_SET_RESPONSE_ERROR_STATUS's ErrorCode as the rendering shows it: `The operation timed out (0x80072ee2)`. */
  error: string | undefined;
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  isArray: (name) => name === 'Event' || name === 'Data' || name === 'Description',
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: true,
  htmlEntities: true,
});

interface RawData {
  '@Name'?: string;
  '#text'?: string;
}
interface RawEvent {
  System?: { TimeCreated?: { '@SystemTime'?: string } };
  EventData?: { Data?: (RawData | string)[] };
  RenderingInfo?: { Opcode?: string; Description?: (RawData & { '@Data'?: string })[] };
}

const dataOf = (e: RawEvent): Record<string, string> =>
  Object.fromEntries((e.EventData?.Data ?? []).filter((d): d is RawData => typeof d === 'object').map((d) => [d['@Name'] ?? '', String(d['#text'] ?? '')]));

export function readFreb(text: string, file: string): FrebTrace {
  const doc = parser.parse(text) as { failedRequest?: Record<string, unknown> & { Event?: RawEvent[] } };
  const root = doc.failedRequest;
  if (!root) throw new Error(`${file}: not a failed-request trace (no <failedRequest> root)`);
  const events = root.Event ?? [];
  let arrLogId: string | undefined;
  let routedTo: string | undefined;
  let error: string | undefined;
  let endedAt = Number.NaN;
  for (const e of events) {
    const data = dataOf(e);
    const opcode = String(e.RenderingInfo?.Opcode ?? '');
    const at = Date.parse(e.System?.TimeCreated?.['@SystemTime'] ?? '');
    if (Number.isFinite(at)) endedAt = at;
    if (opcode === 'GENERAL_SET_REQUEST_HEADER' && data.HeaderName?.toLowerCase() === 'x-arr-log-id') arrLogId = data.HeaderValue;
    // On a member the id arrives with the request headers.
    if (opcode === 'GENERAL_REQUEST_HEADERS') arrLogId ??= /x-arr-log-id:\s*([0-9a-f-]{36})/i.exec(data.Headers ?? '')?.[1];
    if (opcode === 'ARR_SERVER_ROUTED') routedTo = data.Server;
    if (opcode === 'MODULE_SET_RESPONSE_ERROR_STATUS') {
      const rendered = e.RenderingInfo?.Description?.find((d) => d['@Data'] === 'ErrorCode')?.['#text'];
      error = (rendered ?? data.ErrorCode)?.replace(/\s+/g, ' ').trim();
    }
  }
  const url = String(root['@url'] ?? '');
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // A relative or malformed url: keep it as written.
  }
  return {
    url, path, verb: String(root['@verb'] ?? ''), statusCode: String(root['@statusCode'] ?? ''), timeTaken: Number(root['@timeTaken'] ?? 0),
    endedAt, arrLogId, routedTo, error,
  };
}
