import type { HostIdentity } from '../host.ts';
import { header, type HostRequest } from '../host-request.ts';
import type { FrebLog } from './freb-log.ts';
import { errorCode, num, str, type TraceEvent } from './trace.ts';
import type { FailedRequestInfo } from './freb-xml.ts';
import { HOST_WIN32, hresultFromWin32 } from '../win32-status.ts';

/** ERROR_CONNECTION_INVALID, as the member's FREB shows after ARR disconnected (docs/reference.md §6.7). */
const HRESULT_CONNECTION_INVALID = hresultFromWin32(HOST_WIN32.ERROR_CONNECTION_INVALID.code);

/** The response headers as sent, `Name: value` lines ending in CRLF (the status line is not a header). */
function responseHeaders(request: HostRequest): string {
  const { res } = request;
  return res.getRawHeaderNames().flatMap((name) => [res.getHeader(name) ?? []].flat().map((v) => `${name}: ${String(v)}\r\n`)).join('');
}

/**
 * The events that close a request's trace: the response headers when a response went out
 * (GENERAL_RESPONSE_HEADERS, docs/reference.md §7.4 [V DOC-FRT-ARR]), the final flush and the end of the
 * request.
 */
function completion(request: HostRequest, at: number, { sent, received }: { sent: number; received: number }): TraceEvent[] {
  const gone = request.clientGone && !request.httpErr;
  const headers = request.res.headersSent ? responseHeaders(request) : undefined;
  return [
    ...(headers === undefined ? [] : [{ name: 'GENERAL_RESPONSE_HEADERS', area: 'RequestNotifications' as const, level: 'Verbose' as const, at, fields: [str('Headers', headers)] }]),
    {
      name: 'GENERAL_FLUSH_RESPONSE_END', area: 'RequestNotifications', level: gone ? 'Warning' : 'Verbose', at,
      fields: [num('BytesSent', gone ? 0 : sent), errorCode('ErrorCode', gone ? HRESULT_CONNECTION_INVALID : 0)],
    },
    {
      name: 'GENERAL_REQUEST_END', area: 'RequestNotifications', level: 'Informational', at,
      fields: [num('BytesSent', sent), num('BytesReceived', received), num('HttpStatus', request.res.statusCode), num('HttpSubStatus', request.substatus)],
    },
  ];
}

/**
 * HTTPERR outcomes of requests the worker process ran to the end: the page aborted its connection
 * (Response.Close), the client went away, or http.sys gave up on the entity body. FREB runs in
 * w3wp, so it still writes these ("FREB on the member shows the request processed", reference
 * §6.7); requests http.sys refused or queued never reached w3wp, and an abandoned queue means w3wp
 * died with its buffered events.
 */
const WORKER_FINISHED = new Set(['Connection_Dropped', 'Connection_Dropped_List_Full', 'Timer_EntityBody']);

export function tracedByWorker(request: HostRequest): boolean {
  return request.httpErr === undefined || WORKER_FINISHED.has(request.httpErr.reason);
}

export interface TracingHost {
  identity: HostIdentity;
  processId: number;
  activityId: () => string;
}

function write(freb: FrebLog, request: HostRequest, reason: FailedRequestInfo['failureReason'], timeTaken: number, events: TraceEvent[], host: TracingHost): void {
  const id = host.identity;
  const status = request.res.statusCode;
  request.tracedFile = freb.write(
    {
      url: request.url,
      siteId: id.siteId, appPoolId: id.appPool, processId: host.processId, threadId: host.processId + request.seq,
      verb: request.req.method ?? 'GET', activityId: `{${host.activityId().toUpperCase()}}`, failureReason: reason,
      status, substatus: request.substatus, triggerStatus: status, triggerSubstatus: request.substatus,
      timeTaken, computer: id.name.toUpperCase(),
    },
    events,
    request.tracedFile,
  );
}

function buffered(request: HostRequest): TraceEvent[] {
  return [...request.startEvents(), ...request.trace.flatMap((e) => (typeof e === 'function' ? e() : [e]))];
}

/**
 * A `timeTaken` rule fires when the limit expires, not when the request ends: iisfreb.dll then
 * writes the events buffered so far with failureReason TIME_TAKEN (docs/reference.md §7.2, DEC-FREB
 * `DoExpiredAction`), so a request that never ends still leaves its trace. When it does end, the
 * same file is written again with every event, as the member trace of DOC-502 shows the final
 * flush of a request that outlived its limit (docs/reference.md §6.7) [I]. Returns the cancel,
 * if the rule has a time limit.
 */
export function armTimeTakenRule(freb: FrebLog, request: HostRequest, host: TracingHost): (() => void) | undefined {
  const limit = freb.timeTakenLimit;
  if (limit === undefined) return undefined;
  // The rule watches the request from a timeline of its own: its firing must neither move the
  // request's time nor mark the request as working, and it never holds the lab's timers.
  const watcher = request.clock.begin(request.startedAt);
  watcher.park();
  const timer = watcher.run(() =>
    request.clock.setTimer(limit, () => {
      watcher.finish();
      if (!request.logged && tracedByWorker(request)) write(freb, request, 'TIME_TAKEN', limit, buffered(request), host);
    }),
  );
  return () => {
    timer.cancel();
    watcher.finish();
  };
}

/**
 * Writes a finished request's frNNNNNN.xml when a rule fires (again over the file a time rule
 * already wrote); the trace's events are only built then (most requests are never traced).
 */
export function writeRequestTrace(freb: FrebLog, request: HostRequest, at: number, bytes: { sent: number; received: number }, host: TracingHost): void {
  if (!tracedByWorker(request)) return;
  const timeTaken = at - request.startedAt;
  const reason = request.tracedFile !== undefined ? 'TIME_TAKEN' : freb.failureReason(request.res.statusCode, timeTaken);
  if (!reason) return;
  write(freb, request, reason, timeTaken, [...buffered(request), ...completion(request, at, bytes)], host);
}
