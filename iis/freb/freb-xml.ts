import { createHash } from 'node:crypto';
import { utcParts } from '../../core/clock.ts';
import { errorCodeDescription } from './error-text.ts';
import { AREAS, LEVELS, fieldsOf, type TraceEvent, type TraceField } from './trace.ts';

/**
 * Renders one `frNNNNNN.xml` the way iisfreb.dll lays it out (docs/reference.md §7.2-7.3, from the
 * decompiled writer): CRLF line ends, the `failedRequest` attributes on continuation lines
 * indented by 15 spaces, the closing `>` alone, one `<Event>` per trace event in the event schema
 * namespace, and `</failedRequest>` without a final CRLF. Numeric opcodes and per-event GUIDs are
 * not documented: the lab numbers events in a fixed table and derives each GUID from its name.
 */
export interface FailedRequestInfo {
  url: string;
  siteId: number;
  appPoolId: string;
  processId: number;
  verb: string;
  activityId: string;
  failureReason: 'STATUS_CODE' | 'TIME_TAKEN';
  status: number;
  substatus: number;
  triggerStatus: number;
  triggerSubstatus: number;
  timeTaken: number;
  computer: string;
  threadId: number;
}

const CRLF = '\r\n';
const PAD = ' '.repeat(15);
const PROVIDER = 'Provider Name="WWW Server" Guid="{3A2A4E84-4C21-4981-AE10-3FDA0D9B0F83}"';

const OPCODES: Record<string, number> = {
  GENERAL_REQUEST_START: 1, GENERAL_REQUEST_HEADERS: 2, ARR_SERVER_ROUTED: 3, GENERAL_SET_REQUEST_HEADER: 4,
  GENERAL_RESPONSE_HEADERS: 5, MODULE_SET_RESPONSE_ERROR_STATUS: 6, GENERAL_FLUSH_RESPONSE_END: 7, GENERAL_REQUEST_END: 8,
};

export function escapeXml(text: string): string {
  return text.replace(/[&<>"'\r]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\r': '&#xD;' })[c]!);
}

function statusText(status: number, substatus: number): string {
  return substatus === 0 ? String(status) : `${status}.${substatus}`;
}

function timestamp(at: number): string {
  const { date, time } = utcParts(at);
  return `${date}T${time}.${String(Math.floor(at) % 1000).padStart(3, '0')}Z`;
}

function eventGuid(name: string): string {
  const h = createHash('md5').update(`arr-lab:${name}`).digest('hex').toUpperCase();
  return `{${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}}`;
}

function fieldValue(f: TraceField): string {
  if (f.kind === 'boolean') return f.value ? 'true' : 'false';
  return escapeXml(String(f.value));
}

function renderEvent(e: TraceEvent, info: FailedRequestInfo): string {
  const fields = fieldsOf(e);
  const lines = [
    '<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">',
    ' <System>',
    `  <${PROVIDER}/>`,
    '  <EventID>0</EventID>',
    '  <Version>1</Version>',
    `  <Level>${LEVELS[e.level]}</Level>`,
    `  <Opcode>${OPCODES[e.name] ?? 0}</Opcode>`,
    `  <Keywords>0x${AREAS[e.area].toString(16)}</Keywords>`,
    `  <TimeCreated SystemTime="${timestamp(e.at)}"/>`,
    `  <Correlation ActivityID="${info.activityId}"/>`,
    `  <Execution ProcessID="${info.processId}" ThreadID="${info.threadId}"/>`,
    `  <Computer>${escapeXml(info.computer)}</Computer>`,
    ' </System>',
    ' <EventData>',
    `  <Data Name="ContextId">${info.activityId}</Data>`,
    ...fields.map((f) => `  <Data Name="${escapeXml(f.name)}">${fieldValue(f)}</Data>`),
    ' </EventData>',
    ' <RenderingInfo Culture="en-US">',
    `  <Opcode>${e.name}</Opcode>`,
    '  <Keywords>',
    `   <Keyword>${e.area}</Keyword>`,
    '  </Keywords>',
    ...fields.flatMap((f) => {
      const text = f.kind === 'errorCode' ? errorCodeDescription(f.value as number, f.text) : f.kind === 'notification' ? f.text! : undefined;
      return text === undefined ? [] : [`  <freb:Description Data="${escapeXml(f.name)}">${escapeXml(text)}</freb:Description>`];
    }),
    ' </RenderingInfo>',
    ' <ExtendedTracingInfo xmlns="http://schemas.microsoft.com/win/2004/08/events/trace">',
    `  <EventGuid>${eventGuid(e.name)}</EventGuid>`,
    ' </ExtendedTracingInfo>',
    '</Event>',
  ];
  return lines.join(CRLF) + CRLF;
}

export function renderFailedRequest(info: FailedRequestInfo, events: readonly TraceEvent[]): string {
  const attrs = [
    `url="${escapeXml(info.url)}"`,
    `siteId="${info.siteId}"`,
    `appPoolId="${escapeXml(info.appPoolId)}"`,
    `processId="${info.processId}"`,
    `verb="${escapeXml(info.verb)}"`,
    'remoteUserName=""',
    'userName=""',
    'tokenUserName="NT AUTHORITY\\IUSR"',
    'authenticationType="anonymous"',
    `activityId="${info.activityId}"`,
    `failureReason="${info.failureReason}"`,
    `statusCode="${statusText(info.status, info.substatus)}"`,
    `triggerStatusCode="${statusText(info.triggerStatus, info.triggerSubstatus)}"`,
    `timeTaken="${Math.round(info.timeTaken)}"`,
    'xmlns:freb="http://schemas.microsoft.com/win/2006/06/iis/freb"',
  ];
  return [
    '<?xml version="1.0" encoding="UTF-8" ?>',
    "<?xml-stylesheet type='text/xsl' href='freb.xsl'?>",
    '<!-- saved from url=(0014)about:internet -->',
    `<failedRequest ${attrs[0]}`,
    ...attrs.slice(1).map((a) => PAD + a),
    `${PAD}>`,
    '',
  ].join(CRLF) + events.map((e) => renderEvent(e, info)).join('') + '</failedRequest>';
}
