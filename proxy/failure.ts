/**
 * What the forwarder observed when a request to a member did not complete: the phase it died in
 * (WinHTTP's resolve / connect / send / receive, HAProxy-style) and a normalised kind of error.
 */
export type Phase = 'route' | 'resolve' | 'connect' | 'send' | 'receive-headers' | 'receive-body';

export type FailureKind =
  | 'no-server'
  | 'timeout'
  /** The OS gave up on a SYN nobody answered (WSAETIMEDOUT), before WinHTTP's own timer. */
  | 'unanswered'
  | 'not-found'
  | 'refused'
  | 'unreachable'
  | 'reset'
  | 'closed'
  | 'parse'
  | 'aborted'
  | 'other';

export interface Failure {
  phase: Phase;
  kind: FailureKind;
  /** Whether any byte of the response had arrived when it failed. */
  responseStarted: boolean;
  /** The raw error code (undici's UND_ERR_*, an errno such as ECONNRESET, an llhttp HPE_*). */
  code: string | undefined;
  message: string;
  /** Nominal instants of the WinHTTP calls made for the trip so far (the trace stamps each with its own). */
  calls: WinHttpCalls;
}

export interface WinHttpCalls {
  /** WinHttpSendRequest: the trip started. */
  send: number;
  /** WinHttpReceiveResponse: the request was sent. */
  receive?: number;
  /** The last WinHttpReadData: the last response bytes read. */
  read?: number;
}

/** Normalises an undici / socket / parser error into a failure kind. */
export function kindOf(err: unknown): { kind: FailureKind; code: string | undefined; message: string } {
  const e = err as { code?: string; message?: string; labKind?: FailureKind };
  const code = e?.code;
  const message = e?.message ?? String(err);
  if (e?.labKind) return { kind: e.labKind, code, message };
  switch (code) {
    case 'ECONNREFUSED':
      return { kind: 'refused', code, message };
    // The OS gave up on an unanswered SYN before the lab's connect timeout did (WSAETIMEDOUT).
    case 'ETIMEDOUT':
      return { kind: 'unanswered', code, message };
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { kind: 'not-found', code, message };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { kind: 'unreachable', code, message };
    case 'ECONNRESET':
    case 'EPIPE':
      return { kind: 'reset', code, message };
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
      return { kind: 'closed', code, message };
    case 'UND_ERR_ABORTED':
      return { kind: 'aborted', code, message };
    case 'UND_ERR_HEADERS_OVERFLOW':
    case 'UND_ERR_INFO':
      return { kind: 'parse', code, message };
  }
  if (code?.startsWith('HPE_') || (err as Error)?.name === 'HTTPParserError') return { kind: 'parse', code, message };
  return { kind: 'other', code, message };
}

/** An error the lab raises itself (a phase timeout on the lab clock, a scripted resolver answer). */
export function labError(kind: FailureKind, message: string, code?: string): Error {
  return Object.assign(new Error(message), { labKind: kind, code });
}
