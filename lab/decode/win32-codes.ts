import { HOST_WIN32 } from '../../iis/win32-status.ts';
import { WIN32 } from '../../proxy/winhttp-errors.ts';
import type { Cited } from './evidence.ts';

/**
 * Win32 and Winsock codes of docs/reference.md §3.3: what shows up in `sc-win32-status`, in FREB ErrorCode
 * descriptions and beneath a WinHTTP error in a trace. The codes the forwarder reports as causes
 * come from the proxy's own table (proxy/winhttp-errors.ts `WIN32`); this adds their texts and
 * the codes the lab does not produce. Texts are FormatMessage's, from W32-SYSERR [V].
 */
export interface Win32Code {
  code: number;
  name: string;
  text: Cited;
  /** Where it shows up around ARR, when a source says so (docs/reference.md §3.3 last column). */
  seen?: Cited;
  /** Explained for a reader's own logs: neither the host model nor the proxy reports it. */
  notProducedByLab?: true;
}

const SYSERR = 'W32-SYSERR';
const sys = (text: string): Cited => ({ text, evidence: 'V', source: SYSERR });

/** A code the lab reports: keyed by the host model's or the proxy's own entry. */
function code(c: { code: number; name: string }, text: string, seen?: Cited): Win32Code {
  return { code: c.code, name: c.name, text: sys(text), ...(seen && { seen }) };
}

function other(c: number, name: string, text: string): Win32Code {
  return { code: c, name, text: sys(text), notProducedByLab: true };
}

export const WIN32_CODES: readonly Win32Code[] = [
  code(HOST_WIN32.ERROR_SUCCESS, HOST_WIN32.ERROR_SUCCESS.text, {
    text: 'sc-win32-status of a request that completed normally; FREB renders it "The operation completed successfully. (0x0)"',
    evidence: 'C', source: 'SMP-FREBTXT',
  }),
  code(HOST_WIN32.ERROR_NETNAME_DELETED, HOST_WIN32.ERROR_NETNAME_DELETED.text, {
    text: 'member W3SVC line when the client (ARR) disconnected before the response completed: `200 0 64 45208`',
    evidence: 'V', source: 'DOC-502',
  }),
  other(121, 'ERROR_SEM_TIMEOUT', 'The semaphore timeout period has expired.'),
  other(995, 'ERROR_OPERATION_ABORTED', 'The I/O operation has been aborted because of either a thread exit or an application request.'),
  other(1225, 'ERROR_CONNECTION_REFUSED', 'The remote computer refused the network connection.'),
  other(1226, 'ERROR_GRACEFUL_DISCONNECT', 'The network connection was gracefully closed.'),
  code(HOST_WIN32.ERROR_CONNECTION_INVALID, HOST_WIN32.ERROR_CONNECTION_INVALID.text, {
    text: 'member FREB GENERAL_FLUSH_RESPONSE_END ErrorCode "... (0x800704cd)" after ARR disconnected',
    evidence: 'V', source: 'DOC-502',
  }),
  other(1231, 'ERROR_NETWORK_UNREACHABLE', 'The network location cannot be reached. For information about network troubleshooting, see Windows Help.'),
  code(HOST_WIN32.ERROR_CONNECTION_ABORTED, HOST_WIN32.ERROR_CONNECTION_ABORTED.text),
  code(WIN32.ERROR_TIMEOUT, 'This operation returned because the timeout period expired.', {
    text: 'WinHTTP receive timeout in a WinHTTP trace, mapped to 12002', evidence: 'V', source: 'DOC-502',
  }),
  other(10053, 'WSAECONNABORTED', 'An established connection was aborted by the software in your host machine.'),
  code(WIN32.WSAECONNRESET, 'An existing connection was forcibly closed by the remote host.'),
  code(
    WIN32.WSAETIMEDOUT,
    'A connection attempt failed because the connected party did not properly respond after a period of time, or established connection failed because connected host has failed to respond.',
    { text: 'offline member (SYN unanswered) in a WinHTTP trace, mapped to 12002', evidence: 'V', source: 'DOC-502' },
  ),
  code(WIN32.WSAECONNREFUSED, 'No connection could be made because the target machine actively refused it.'),
  code(WIN32.WSAEHOSTUNREACH, 'A socket operation was attempted to an unreachable host.'),
  code(WIN32.WSAHOST_NOT_FOUND, 'No such host is known.'),
];
