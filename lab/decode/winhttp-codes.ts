import { WINHTTP, type WinHttpError } from '../../proxy/winhttp-errors.ts';
import type { Cited, Evidence } from './evidence.ts';

/**
 * The WinHTTP errors of docs/reference.md §3.1. The six ARR reports come from the proxy's own table
 * (proxy/winhttp-errors.ts: code, name and page text); this adds the documented meaning, the
 * evidence for the page text, and the §3.1 codes the lab does not produce.
 */
export interface WinHttpCode {
  code: number;
  name: string;
  /** W32-WINHTTP's description [V]. */
  meaning: Cited;
  /** The FormatMessage text ARR shows (error page h4, FREB ErrorCode), when one is known. */
  text: Cited | undefined;
  /** Explained for a reader's own logs: no failure-classification row of the proxy reports it. */
  notProducedByLab?: true;
}

const DOC = 'W32-WINHTTP';

function known(error: WinHttpError, meaning: string, evidence: Evidence, source: string): WinHttpCode {
  return { code: error.code, name: error.name, meaning: { text: meaning, evidence: 'V', source: DOC }, text: { text: error.text, evidence, source } };
}

function other(code: number, name: string, meaning: string, text?: Omit<Cited, 'evidence'> & { evidence?: Evidence }): WinHttpCode {
  return {
    code,
    name,
    meaning: { text: meaning, evidence: 'V', source: DOC },
    text: text && { text: text.text, evidence: text.evidence ?? 'U', source: text.source },
    notProducedByLab: true,
  };
}

/** `TXT-WININET`: winerror.h's text for the same HRESULT (WININET_E_*), not confirmed for WinHTTP. */
const WINERROR_H = 'TXT-WININET (winerror.h text of this HRESULT; not confirmed as what WinHTTP shows)';

export const WINHTTP_CODES: readonly WinHttpCode[] = [
  other(12001, 'ERROR_WINHTTP_OUT_OF_HANDLES', 'Obsolete; no longer used.'),
  known(WINHTTP.TIMEOUT, 'The request has timed out. This error can be returned as a result of TCP/IP time-out behavior, regardless of time-out values set in Windows HTTP Services.', 'V', 'IMG-502'),
  other(12004, 'ERROR_WINHTTP_INTERNAL_ERROR', 'An internal error has occurred.'),
  other(12005, 'ERROR_WINHTTP_INVALID_URL', 'The URL is not valid.', { text: 'The URL is invalid', source: WINERROR_H }),
  other(12006, 'ERROR_WINHTTP_UNRECOGNIZED_SCHEME', 'The URL specified a scheme other than "http:" or "https:".', { text: 'The URL does not use a recognized protocol', source: WINERROR_H }),
  known(WINHTTP.NAME_NOT_RESOLVED, 'The server name cannot be resolved.', 'C', 'TXT-LIBGIT2'),
  known(WINHTTP.OPERATION_CANCELLED, 'The operation was canceled, usually because the handle on which the request was operating was closed before the operation completed.', 'U', WINERROR_H),
  known(WINHTTP.CANNOT_CONNECT, 'Returned if connection to the server failed.', 'C', 'TXT-LIBGIT2'),
  known(WINHTTP.CONNECTION_ERROR, 'The connection with the server has been reset or terminated, or an incompatible SSL protocol was encountered.', 'V', 'IMG-502'),
  other(12032, 'ERROR_WINHTTP_RESEND_REQUEST', 'The WinHTTP function failed. The desired function can be retried on the same request handle.'),
  other(12044, 'ERROR_WINHTTP_CLIENT_AUTH_CERT_NEEDED', 'Returned by WinHttpReceiveResponse when the server requests client authentication.', { text: 'A certificate is required to complete client authentication', source: WINERROR_H }),
  known(WINHTTP.INVALID_SERVER_RESPONSE, 'The server response cannot be parsed.', 'V', 'IMG-502'),
  other(12156, 'ERROR_WINHTTP_REDIRECT_FAILED', 'The redirection failed because either the scheme changed or all attempts made to redirect failed (default is five attempts).'),
  other(12157, 'ERROR_WINHTTP_SECURE_CHANNEL_ERROR', 'An error occurred having to do with a secure channel (equivalent to the SEC_E_ and SEC_I_ codes of winerror.h).', { text: 'An error occurred in the secure channel support', source: WINERROR_H }),
  other(12175, 'ERROR_WINHTTP_SECURE_FAILURE', "One or more errors were found in the SSL certificate sent by the server.", {
    text: 'A security error occurred',
    source: 'docs/reference.md §3.1, believed; winerror.h gives WinINet\'s "Content decoding has failed" for 0x80072f8f',
  }),
  other(12181, 'ERROR_WINHTTP_HEADER_COUNT_EXCEEDED', 'Returned by WinHttpReceiveResponse when a larger number of headers were present in a response than WinHTTP could receive.'),
  other(12182, 'ERROR_WINHTTP_HEADER_SIZE_OVERFLOW', 'Returned by WinHttpReceiveResponse when the size of headers received exceeds the limit for the request handle.'),
  other(12183, 'ERROR_WINHTTP_CHUNKED_ENCODING_HEADER_SIZE_OVERFLOW', 'Returned by WinHttpReceiveResponse when an overflow condition is encountered in the course of parsing chunked encoding.'),
  other(12184, 'ERROR_WINHTTP_RESPONSE_DRAIN_OVERFLOW', 'Returned when an incoming response exceeds an internal WinHTTP size limit.'),
];

/**
 * WinINet shares the 12000-12175 range with WinHTTP (W32-SYSERR 12000-15999 lists both), so a bare
 * 12030 or 0x80072efe has a WinINet reading too. DOC-502 itself names 0x80072efe by its WinINet
 * name (docs/reference.md §3.1 naming note). ARR forwards with WinHTTP, so these are the other reading.
 * Names and texts from W32-WININET [V].
 */
export interface WinInetCode {
  code: number;
  name: string;
  meaning: Cited;
  note?: Cited;
}

const wininet = (code: number, name: string, text: string, note?: Cited): WinInetCode => ({
  code, name, meaning: { text, evidence: 'V', source: 'W32-WININET' }, ...(note && { note }),
});

export const WININET_CODES: readonly WinInetCode[] = [
  wininet(12001, 'ERROR_INTERNET_OUT_OF_HANDLES', 'No more handles could be generated at this time.'),
  wininet(12002, 'ERROR_INTERNET_TIMEOUT', 'The request has timed out.'),
  wininet(12004, 'ERROR_INTERNET_INTERNAL_ERROR', 'An internal error has occurred.'),
  wininet(12005, 'ERROR_INTERNET_INVALID_URL', 'The URL is invalid.'),
  wininet(12006, 'ERROR_INTERNET_UNRECOGNIZED_SCHEME', 'The URL scheme could not be recognized, or is not supported.'),
  wininet(12007, 'ERROR_INTERNET_NAME_NOT_RESOLVED', 'The server name could not be resolved.'),
  wininet(12017, 'ERROR_INTERNET_OPERATION_CANCELLED', 'The operation was canceled, usually because the handle on which the request was operating was closed before the operation completed.'),
  wininet(12029, 'ERROR_INTERNET_CANNOT_CONNECT', 'The attempt to connect to the server failed.'),
  wininet(12030, 'ERROR_INTERNET_CONNECTION_ABORTED', 'The connection with the server has been terminated.', {
    text: 'DOC-502 names the 0x80072efe of the Response.Close() case by this WinINet name', evidence: 'V', source: 'DOC-502',
  }),
  wininet(12031, 'ERROR_INTERNET_CONNECTION_RESET', 'The connection with the server has been reset.', {
    text: 'WinHTTP defines no 12031: a reset seen through WinHTTP surfaces as 12030', evidence: 'I', source: 'docs/reference.md §3.1',
  }),
  wininet(12032, 'ERROR_INTERNET_FORCE_RETRY', 'The function needs to redo the request.'),
  wininet(12044, 'ERROR_INTERNET_CLIENT_AUTH_CERT_NEEDED', 'The server is requesting client authentication.'),
  wininet(12152, 'ERROR_HTTP_INVALID_SERVER_RESPONSE', 'The server response could not be parsed.'),
  wininet(12156, 'ERROR_HTTP_REDIRECT_FAILED', 'The redirection failed because either the scheme changed (for example, HTTP to FTP) or all attempts made to redirect failed (default is five attempts).'),
  wininet(12157, 'ERROR_INTERNET_SECURITY_CHANNEL_ERROR', 'The application experienced an internal error loading the SSL libraries.'),
  wininet(12175, 'ERROR_INTERNET_DECODING_FAILED', 'WinINet failed to perform content decoding on the response.'),
];
