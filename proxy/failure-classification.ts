import type { Failure, FailureKind, Phase } from './failure.ts';
import { hresultFromWin32 } from '../iis/win32-status.ts';
import { WIN32, WINHTTP, type WinHttpError } from './winhttp-errors.ts';

/**
 * The one table from what the forwarder observed to what ARR reports: WinHTTP error, HRESULT,
 * IIS status.substatus and the W3SVC sc-win32-status. Rows are tried in order; each is tested and
 * documented in docs/arr-model.md. `evidence` follows the reference's markers: V verified in a Microsoft
 * source, I inferred from verified facts.
 */
export interface ClassificationRow {
  id: string;
  phases: readonly Phase[];
  kinds: readonly FailureKind[];
  /** Restrict to failures with (true) or without (false) response bytes received. */
  responseStarted?: boolean;
  status: number;
  substatus: number;
  /** The error ARR shows; absent for 502.4 (Error Code 0x00000000). */
  winhttp: WinHttpError | undefined;
  /** The Win32/Winsock code a WinHTTP trace shows beneath it. */
  cause: { code: number; name: string } | undefined;
  evidence: 'V' | 'I';
  note: string;
}

const RECEIVE: readonly Phase[] = ['receive-headers', 'receive-body'];

export const CLASSIFICATION: readonly ClassificationRow[] = [
  {
    id: 'no-server', phases: ['route'], kinds: ['no-server'], status: 502, substatus: 4,
    winhttp: undefined, cause: undefined, evidence: 'V',
    note: 'no member available to take the request: 502.4, Error Code 0x00000000, MapRequestHandler (DOC-502)',
  },
  {
    id: 'receive-timeout', phases: RECEIVE, kinds: ['timeout'], status: 502, substatus: 3,
    winhttp: WINHTTP.TIMEOUT, cause: WIN32.ERROR_TIMEOUT, evidence: 'V',
    note: 'member slower than the farm timeout: 502.3 / 12002, time-taken about the timeout (DOC-502)',
  },
  {
    id: 'resolve-timeout', phases: ['resolve'], kinds: ['timeout'], status: 502, substatus: 3,
    winhttp: WINHTTP.TIMEOUT, cause: WIN32.ERROR_TIMEOUT, evidence: 'V',
    note: 'name resolution slower than the resolve timeout: DOC-502 names ResolveTimeout among the timeouts that give 12002 (§3.2); the cause under it is WinHTTP\'s own timer (1460, as in §8.1) [I]; page and log values I',
  },
  {
    id: 'syn-unanswered', phases: ['connect'], kinds: ['unanswered'], status: 502, substatus: 3,
    winhttp: WINHTTP.TIMEOUT, cause: WIN32.WSAETIMEDOUT, evidence: 'V',
    note: 'the member address never answers the SYN and the OS gives up first (about 21 s): DOC-502\'s trace of an offline member maps WSAETIMEDOUT (10060) to 12002 (§8.2, §9 row 4); page and log values I',
  },
  {
    id: 'connect-timeout', phases: ['connect'], kinds: ['timeout'], status: 502, substatus: 3,
    winhttp: WINHTTP.TIMEOUT, cause: WIN32.ERROR_TIMEOUT, evidence: 'I',
    note: 'WinHTTP\'s connect timer fires before the OS gives up on the SYN (a timeout under about 21 s); the cause under it is WinHTTP\'s own timer (1460, as in §8.1) [I]',
  },
  {
    id: 'send-timeout', phases: ['send'], kinds: ['timeout'], status: 502, substatus: 3,
    winhttp: WINHTTP.TIMEOUT, cause: WIN32.ERROR_TIMEOUT, evidence: 'V',
    note: 'the member stops reading the request body and the send timeout fires: DOC-502 names SendTimeout among the timeouts that give 12002 (§3.2); cause 1460 [I]; page and log values I',
  },
  {
    id: 'name-not-resolved', phases: ['resolve'], kinds: ['not-found'], status: 502, substatus: 3,
    winhttp: WINHTTP.NAME_NOT_RESOLVED, cause: WIN32.WSAHOST_NOT_FOUND, evidence: 'I',
    note: 'member address does not resolve',
  },
  {
    id: 'connect-refused', phases: ['connect'], kinds: ['refused'], status: 502, substatus: 3,
    winhttp: WINHTTP.CANNOT_CONNECT, cause: WIN32.WSAECONNREFUSED, evidence: 'I',
    note: 'nothing listening on the member port (RST to the SYN)',
  },
  {
    id: 'connect-unreachable', phases: ['connect'], kinds: ['unreachable'], status: 502, substatus: 3,
    winhttp: WINHTTP.CANNOT_CONNECT, cause: WIN32.WSAEHOSTUNREACH, evidence: 'I',
    note: 'the member\'s host is gone from its network (no ARP answer, EHOSTUNREACH) before the connect timeout: a connect failure, as WSAECONNREFUSED is (§3.3 10065); seen with real hosts only (container mode)',
  },
  {
    id: 'closed-before-response', phases: ['send', 'receive-headers'], kinds: ['reset', 'closed'], responseStarted: false,
    status: 502, substatus: 3, winhttp: WINHTTP.CONNECTION_ERROR, cause: WIN32.WSAECONNRESET, evidence: 'V',
    note: 'Response.Close() with no data: connection ended before any response byte (DOC-502 page; log value I)',
  },
  {
    id: 'cut-inside-headers', phases: ['receive-headers'], kinds: ['reset', 'closed'], responseStarted: true,
    status: 502, substatus: 3, winhttp: WINHTTP.INVALID_SERVER_RESPONSE, cause: WIN32.WSAECONNRESET, evidence: 'I',
    note: 'connection ended after part of the status line or headers',
  },
  {
    id: 'invalid-response', phases: RECEIVE, kinds: ['parse'], status: 502, substatus: 3,
    winhttp: WINHTTP.INVALID_SERVER_RESPONSE, cause: WIN32.ERROR_WINHTTP_INVALID_SERVER_RESPONSE, evidence: 'I',
    note: 'bytes that do not parse as an HTTP response',
  },
  {
    id: 'cut-inside-body', phases: ['receive-body'], kinds: ['reset', 'closed'], status: 502, substatus: 3,
    winhttp: WINHTTP.INVALID_SERVER_RESPONSE, cause: WIN32.WSAECONNRESET, evidence: 'V',
    note: 'Response.Flush() of part of the body, then Response.Close() (DOC-502 page; log value I)',
  },
  {
    id: 'terminated', phases: ['connect', 'send', 'receive-headers', 'receive-body'], kinds: ['aborted'], status: 502, substatus: 3,
    winhttp: WINHTTP.OPERATION_CANCELLED, cause: undefined, evidence: 'I',
    note: 'the server was made Unavailable Immediately while the request was in flight (TN-ROTATE: pre-existing requests terminated); the page text is the winerror.h one',
  },
];

/** Used when no row matches, so a surprise is visible as itself rather than as a guess. */
export const UNCLASSIFIED: ClassificationRow = {
  id: 'unclassified', phases: [], kinds: [], status: 502, substatus: 3,
  winhttp: WINHTTP.CONNECTION_ERROR, cause: undefined, evidence: 'I',
  note: 'an observation no row describes; reported as 12030',
};

export function classify(failure: Pick<Failure, 'phase' | 'kind' | 'responseStarted'>): ClassificationRow {
  return (
    CLASSIFICATION.find(
      (row) =>
        row.phases.includes(failure.phase) &&
        row.kinds.includes(failure.kind) &&
        (row.responseStarted === undefined || row.responseStarted === failure.responseStarted),
    ) ?? UNCLASSIFIED
  );
}

/** sc-win32-status ARR writes for a row: the WinHTTP number, or 0 for 502.4. */
export function win32StatusOf(row: ClassificationRow): number {
  return row.winhttp?.code ?? 0;
}

export function errorCodeOf(row: ClassificationRow): number {
  return hresultFromWin32(win32StatusOf(row));
}
