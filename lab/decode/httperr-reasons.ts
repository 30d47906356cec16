import { CONNECTIONS_REFUSED, HTTPERR_REASONS_WRITTEN } from '../../iis/httperr-reason.ts';
import type { Cited, Evidence } from './evidence.ts';

/**
 * HTTPERR `s-reason` values (docs/reference.md §6.4): the union of KB 820729 (KB-HTTPERR) and
 * W32-ERRTYPES, meanings as the reference paraphrases them, plus `NotFound`, seen in real logs but undocumented.
 * `sent` is what http.sys puts on the wire when it answers, with its own evidence.
 */
export interface HttperrReason {
  reason: string;
  meaning: Cited;
  sent: Cited | undefined;
  /** A line or fact from a source showing the reason around ARR. */
  example?: Cited;
  /** Explained for a reader's own logs: the host model never writes it (iis/httperr-reason.ts). */
  notProducedByLab?: true;
}

const WRITTEN: ReadonlySet<string> = new Set([...HTTPERR_REASONS_WRITTEN, CONNECTIONS_REFUSED]);

const DOCS = 'KB-HTTPERR, W32-ERRTYPES';

function reason(name: string, meaning: string, sent?: [string, Evidence, string?], example?: Cited): HttperrReason {
  return {
    reason: name,
    meaning: { text: meaning, evidence: 'V', source: DOCS },
    sent: sent && { text: sent[0], evidence: sent[1], source: sent[2] ?? DOCS },
    ...(example && { example }),
    ...(!WRITTEN.has(name) && { notProducedByLab: true as const }),
  };
}

const UNKNOWN_WIRE: [string, Evidence, string] = ['not documented', 'U', 'docs/reference.md §6.4'];

export const HTTPERR_REASONS: readonly HttperrReason[] = [
  reason('AppOffline', '503: application errors caused the application to be taken offline (rapid-fail).', ['503', 'V'], {
    text: '`... HTTP/1.1 GET /Protect/SessionSvrDispatch.asp?... 503 447434323 AppOffline DefaultAppPool`', evidence: 'C', source: 'SMP-HTTPERR',
  }),
  reason('AppPoolTimer', '503: the application pool process is too busy to handle the request.', ['503', 'V']),
  reason('AppShutdown', '503: the application was shut down automatically by administrator policy.', ['503', 'V']),
  reason('BadRequest', 'A parse error occurred while processing a request.', ['400', 'V']),
  reason('Client_Reset', 'The connection was closed before the request could be assigned to a worker process (usually the client closed early).', ['nothing: the client is gone', 'I', 'docs/reference.md §6.4']),
  reason('Connection_Abandoned_By_AppPool', 'The worker process quit unexpectedly or orphaned a pending request by closing its handle.', UNKNOWN_WIRE),
  reason('Connection_Abandoned_By_ReqQueue', 'As Connection_Abandoned_By_AppPool: the Vista / Server 2008+ name (request queue).', UNKNOWN_WIRE, {
    text: 'the lab logs a request still running when a lab stops with this reason', evidence: 'I', source: 'docs/artifacts.md',
  }),
  reason('Connection_Dropped', 'KB: the connection was closed before the server could send its final response packet (usually the client closed early). W32: IIS failed to return logging data within 1 minute due to a client disconnect or reset before the response was logged; the client may already have the response.', ['nothing', 'I', 'docs/reference.md §6.6'], {
    text: 'member side of ARR\'s Response.Close() case: `HTTP/1.1 GET /time/ - 1 Connection_Dropped DefaultAppPool`, and no W3SVC line', evidence: 'V', source: 'DOC-502',
  }),
  reason('Connection_Dropped_List_Full', 'The list of dropped connections is full (Vista / Server 2008+).', ['nothing', 'I', 'docs/reference.md §6.4'], {
    text: 'a load balancer that closes connections immediately produces many of these, and 200.0.64 in W3SVC', evidence: 'S', source: 'BLOG-BENPERK',
  }),
  reason('ConnLimit', '503: the site-level connection limit was reached.', ['503', 'V']),
  reason('Connections_Refused', 'Kernel NonPagedPool below 20 MB; http.sys stopped receiving new connections.', UNKNOWN_WIRE),
  reason('Disabled', '503: an administrator has taken the application offline.', ['503', 'V']),
  reason('EntityTooLarge', 'An entity exceeded the maximum size.', ['413 expected', 'I', 'docs/reference.md §6.4']),
  reason('FieldLength', 'A field length limit was exceeded.', ['400', 'I', 'docs/reference.md §6.4']),
  reason('Forbidden', 'A forbidden element or sequence was met while parsing.', ['403 seen in a real log (`403 - Forbidden -`)', 'C', 'docs/reference.md §6.4']),
  reason('Header', 'A parse error occurred in a header.', ['400', 'I', 'docs/reference.md §6.4']),
  reason('Hostname', 'A parse error occurred while processing a Hostname.', ['400', 'V']),
  reason('Internal', 'An internal server error.', ['500', 'V']),
  reason('Invalid_CR/LF', 'An illegal CR or LF.', ['400', 'I', 'docs/reference.md §6.4']),
  reason('LengthRequired', 'A required length was missing.', ['411 (`411 - LengthRequired -` in a real log)', 'C', 'docs/reference.md §6.4']),
  reason('N/A', '503: an internal error such as a memory allocation failure or URL reservation conflict.', ['503', 'V']),
  reason('N/I', '501 not implemented, or 503 for an unknown transfer encoding.', ['501 or 503', 'V']),
  reason('Number', 'A parse error occurred while processing a number.', ['400', 'I', 'docs/reference.md §6.4']),
  reason('Precondition', 'A required precondition was missing.', UNKNOWN_WIRE),
  reason('QueueFull', '503: the application request queue is full.', ['503', 'V'], {
    text: 'http.sys answers with its canned 503 page (`Server: Microsoft-HTTPAPI/2.0`, `Connection: close`)', evidence: 'C', source: 'CAP-503',
  }),
  reason('RequestLength', 'A request length limit was exceeded.', ['400 `Bad Request (Request header too long)`', 'V', 'KB-CLM']),
  reason('Timer_AppPool', 'The request waited too long in an application pool queue; duration = ConnectionTimeout (2 min).', ['connection reset', 'S', 'TN-IIS6-TIMERS']),
  reason('Timer_ConnectionIdle', 'The connection expired while idle; ConnectionTimeout, default 2 min.', ['"connection was reset" (FIN or RST not documented)', 'S', 'TN-IIS6-TIMERS']),
  reason('Timer_EntityBody', 'The entity body did not arrive; timer = ConnectionTimeout, re-armed on each data indication.', UNKNOWN_WIRE),
  reason('Timer_HeaderWait', 'Header parsing took longer than 2 min.', UNKNOWN_WIRE),
  reason('Timer_MinBytesPerSecond', 'The response send rate fell below the minimum (KB: 240 B/s, IIS minBytesPerSecond; W32: 150 B/s API default).', UNKNOWN_WIRE),
  reason('Timer_ReqQueue', 'The request waited too long in the request queue (Vista / Server 2008+ name); ConnectionTimeout.', UNKNOWN_WIRE),
  reason('Timer_Response', 'Reserved; not used (IIS 6 text: reset because the response was not processed in time).', ['none', 'V']),
  reason('Timer_SslRenegotiation', 'SSL renegotiation took longer than 2 min.', UNKNOWN_WIRE),
  reason('URL', 'A parse error occurred while processing a URL.', ['400', 'V']),
  reason('URL_Length', 'The URL exceeded the maximum size.', ['414', 'U', 'docs/reference.md §6.4']),
  reason('Verb', 'A parse error occurred while processing a verb.', ['400', 'V']),
  reason('Version_N/S', '505 version not supported.', ['505', 'V']),
  {
    reason: 'NotFound',
    meaning: { text: 'Observed, undocumented: a 404 from http.sys when no URL matches.', evidence: 'C', source: 'SMP-HTTPERR' },
    sent: { text: '404', evidence: 'C', source: 'SMP-HTTPERR' },
    notProducedByLab: true,
  },
];
