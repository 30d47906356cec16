import type { Socket } from 'node:net';
import type { LabClock, Timeline } from '../core/clock.ts';
import { ERROR_PAGE_HEADERS, FREB_DIRECTORY, reasonPhrase, renderCustomError, renderDetailedError, showsDetailedError, type DetailedErrorInfo } from './detailed-error-page.ts';
import { errorCode, notification, num, str, type Area, type Level, type TraceEvent } from './freb/trace.ts';
import type { IisHost, Peer } from './host.ts';
import { headerBlock, pairsOf } from './request-headers.ts';
import { connectionId } from './freb/connection-ids.ts';
import type { HttpErrReason } from './httperr-reason.ts';
import { answerBytes, ANSWERS, type AnswerId } from './http-sys/answers.ts';
import type { IncomingRequest } from './http-sys/incoming-request.ts';
import type { ResponseWriter } from './http-sys/response-writer.ts';

/** The marker header the scenario client puts on each request so every host's record can name it. */
export const LAB_REQUEST_HEADER = 'x-arr-lab-request';

export type ErrorPage = Omit<DetailedErrorInfo, 'iisVersion' | 'osBuild' | 'requestedUrl' | 'physicalPath' | 'logonMethod' | 'logonUser'> & {
  win32: number;
  /** FormatMessage text of errorCode for the trace (for ARR: the WinHTTP message). */
  errorText?: string;
};

/** How a request ends in HTTPERR instead of W3SVC: the reason, and the status if one was sent. */
export interface HttpErrOutcome {
  readonly reason: HttpErrReason;
  readonly status: number | undefined;
  /** The client's own bytes caused it: never a member's failure. */
  readonly clientFault: boolean;
}

/**
 * One request inside a host's pipeline: what the handler works with and what the logs are made
 * from. How it ends is set through `fail` (IIS's error page, W3SVC), `refuse` (http.sys's own
 * answer, HTTPERR) and `drop` (the connection ends without a complete response, HTTPERR).
 */
export class HostRequest {
  substatus = 0;
  /** sc-win32-status; when unset the pipeline derives it (64 when the client went away). */
  win32: number | undefined;
  private ended: HttpErrOutcome | undefined;
  clientGone = false;
  /** Nominal instant the client went away, if it did before the response was sent. */
  clientGoneAt: number | undefined;
  arrLogId: string | undefined;
  /** Text the handler appended to the log line's cs-uri-query (IIS's AppendToLog). */
  appendedToLog: readonly string[] = NOTHING;
  /** The handler's own account of a failure (ARR: its classification row id), kept in the record's meta. */
  failure: string | undefined;
  logged = false;
  /** Its Failed Request Tracing file, once a rule has fired. */
  tracedFile: string | undefined;
  /** Disarms the Failed Request Tracing time-taken rule once the request is logged (when the rule has a time limit). */
  cancelTimeTakenRule: (() => void) | undefined;
  readonly labRequest: string | undefined;
  /**
   * Failed Request Tracing events buffered for this request after its start (written only if a
   * rule fires; the start events are made from the request itself, see `startEvents`).
   */
  trace: readonly (TraceEvent | (() => TraceEvent[]))[] = NOTHING;
  /** Addresses as accepted; a socket forgets them once destroyed, the log must not. */
  readonly peer: Readonly<Peer>;

  /** Nominal instant the request arrived. */
  readonly startedAt: number;

  constructor(
    readonly host: IisHost,
    readonly seq: number,
    /** The request's own nominal time (see core/clock.ts). */
    readonly timeline: Timeline,
    readonly req: IncomingRequest,
    readonly res: ResponseWriter,
    readonly signal: AbortSignal,
    /** The lab party that sent it (the scenario client, ARR), if it came from inside the lab. */
    private readonly sender: Timeline | undefined,
  ) {
    this.startedAt = timeline.now();
    this.labRequest = header(req, LAB_REQUEST_HEADER);
    this.arrLogId = header(req, 'x-arr-log-id');
    this.peer = host.peerOf(req.socket);
    // Numbers the connection now, in arrival order; the trace reads the number back when written.
    connectionId(host, req.socket);
  }

  /** GENERAL_REQUEST_START and GENERAL_REQUEST_HEADERS: how every trace begins. */
  startEvents(): TraceEvent[] {
    const { req, startedAt: at } = this;
    const id = this.host.identity;
    return [
      {
        name: 'GENERAL_REQUEST_START', area: 'RequestNotifications', level: 'Informational', at, fields: [
          num('SiteId', id.siteId), str('AppPoolId', id.appPool), str('ConnId', connectionId(this.host, req.socket)), str('RawConnId', '0'),
          str('RequestURL', this.url), str('RequestVerb', req.method ?? 'GET'),
        ],
      },
      {
        // The scenario client's marker is the lab's bookkeeping, not part of what IIS would record.
        name: 'GENERAL_REQUEST_HEADERS', area: 'RequestNotifications', level: 'Verbose', at, fields: [
          str('Headers', headerBlock(pairsOf(req.rawHeaders).filter(([name]) => name.toLowerCase() !== LAB_REQUEST_HEADER))),
        ],
      },
    ];
  }

  /**
   * Its connection closed. Before the response was complete, the client has gone, at its own
   * instant (ARR's timeout), not at this request's.
   */
  connectionClosed(): void {
    if (this.res.writableFinished) return;
    this.clientGone = true;
    this.clientGoneAt ??= Math.max(this.timeline.now(), this.sender?.now() ?? this.clock.frontier());
  }

  /** The full URL as IIS shows it (detailed error page, FREB): scheme, host, port, path and query. */
  get url(): string {
    return `http://${header(this.req, 'host')?.split(':')[0] ?? 'localhost'}:${this.peer.sPort}${this.req.url}`;
  }

  addTrace(name: string, area: Area, level: Level, fields: TraceEvent['fields']): void {
    this.trace = this.trace.concat([{ name, area, level, at: this.timeline.now(), fields }]);
  }

  /** Several events made only if the trace is written (they must capture what they need now). */
  addTraceBatch(events: () => TraceEvent[]): void {
    this.trace = this.trace.concat([events]);
  }

  /** IIS's AppendToLog: `parts` go into the log line's cs-uri-query. */
  appendToLog(...parts: string[]): void {
    this.appendedToLog = this.appendedToLog.concat(parts);
  }

  get socket(): Socket {
    return this.req.socket;
  }

  get clock(): LabClock {
    return this.host.clock;
  }

  /** Set when the request ends in HTTPERR instead of W3SVC. */
  get httpErr(): HttpErrOutcome | undefined {
    return this.ended;
  }

  /** Sends IIS's detailed error page and sets what the W3SVC line will say. */
  fail(page: ErrorPage): void {
    const { res, req } = this;
    if (this.ended) return;
    this.substatus = page.substatus;
    this.win32 = page.win32;
    res.statusCode = page.status;
    this.addTrace('MODULE_SET_RESPONSE_ERROR_STATUS', 'Module', 'Warning', [
      str('ModuleName', page.module),
      notification('Notification', page.notification),
      num('HttpStatus', page.status),
      str('HttpReason', reasonPhrase(page.status)),
      num('HttpSubStatus', page.substatus),
      errorCode('ErrorCode', page.errorCode, page.errorText),
      str('ConfigExceptionInfo', ''),
    ]);
    if (this.clientGone || res.headersSent) {
      res.end();
      return;
    }
    const custom = showsDetailedError(this.host.errorMode, isLoopback(req.socket.remoteAddress)) ? undefined : renderCustomError(page.status);
    if (custom !== undefined) {
      res.setHeader('Content-Type', 'text/html');
      res.setHeader('Content-Length', Buffer.byteLength(custom));
      res.end(custom);
      return;
    }
    const id = this.host.identity;
    const path = (req.url ?? '/').split('?')[0]!;
    const body = renderDetailedError({
      ...page,
      iisVersion: id.iisVersion,
      osBuild: id.osBuild,
      requestedUrl: this.url,
      physicalPath: `C:\\inetpub\\wwwroot${path.replace(/\//g, '\\')}`,
      logonMethod: 'Anonymous',
      logonUser: 'Anonymous',
      frebDirectory: FREB_DIRECTORY,
    });
    for (const [name, value] of Object.entries(ERROR_PAGE_HEADERS)) res.setHeader(name, value);
    // The page IIS wrote itself is the response entity a trace shows (docs/reference.md §7.4 [V DOC-FRT-ARR]).
    this.addTrace('GENERAL_RESPONSE_ENTITY_BUFFER', 'RequestNotifications', 'Verbose', () => [str('Buffer', body)]);
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.end(body);
  }

  /**
   * The connection ends without a complete response: with an RST (`reset`, what ASP.NET's
   * Response.Close() does), a FIN (`close`), or it has ended already (`none`). Logged in HTTPERR
   * under `reason`, never in W3SVC.
   */
  drop(reason: HttpErrReason, how: 'reset' | 'close' | 'none', options: { status?: number; clientFault?: boolean } = {}): void {
    if (this.ended) return;
    const status = options.status ?? (this.res.headersSent ? this.res.statusCode : undefined);
    this.ended = { reason, status, clientFault: options.clientFault ?? false };
    if (how === 'reset') this.socket.resetAndDestroy();
    else if (how === 'close') this.socket.end();
  }

  /** http.sys answers the request itself (a canned 503, a 400 for a bad body) and closes the connection. */
  refuse(reason: HttpErrReason, answer: AnswerId, clientFault = false): void {
    if (this.ended) return;
    if (this.res.headersSent) return this.drop(reason, 'close', { clientFault });
    this.ended = { reason, status: ANSWERS[answer].status, clientFault };
    this.socket.end(answerBytes(answer, new Date(this.timeline.now())));
  }
}

/**
 * What a request that recorded nothing holds. Its lists are replaced by concat, never pushed to or
 * spread: those leave room for a dozen more entries, kept for as long as the request is held.
 */
const NOTHING: readonly never[] = [];

/** A request IIS counts as local (errorMode DetailedLocalOnly): it came over loopback. */
function isLoopback(address: string | undefined): boolean {
  return address === '::1' || address?.startsWith('127.') === true || address?.startsWith('::ffff:127.') === true;
}

export function header(req: { headers: Readonly<Record<string, string | string[]>> }, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
