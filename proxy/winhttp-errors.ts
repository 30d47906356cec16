/**
 * WinHTTP errors ARR reports (docs/reference.md §3.1). HRESULT = 0x80070000 | code (FACILITY_WIN32).
 * `text` is the FormatMessage text shown on ARR's error page and in FREB.
 */
export interface WinHttpError {
  code: number;
  name: string;
  text: string;
}

export const WINHTTP = {
  TIMEOUT: { code: 12002, name: 'ERROR_WINHTTP_TIMEOUT', text: 'The operation timed out' },
  NAME_NOT_RESOLVED: { code: 12007, name: 'ERROR_WINHTTP_NAME_NOT_RESOLVED', text: 'The server name or address could not be resolved' },
  CANNOT_CONNECT: { code: 12029, name: 'ERROR_WINHTTP_CANNOT_CONNECT', text: 'A connection with the server could not be established' },
  CONNECTION_ERROR: { code: 12030, name: 'ERROR_WINHTTP_CONNECTION_ERROR', text: 'The connection with the server was terminated abnormally' },
  OPERATION_CANCELLED: { code: 12017, name: 'ERROR_WINHTTP_OPERATION_CANCELLED', text: 'The operation has been canceled' },
  INVALID_SERVER_RESPONSE: { code: 12152, name: 'ERROR_WINHTTP_INVALID_SERVER_RESPONSE', text: 'The server returned an invalid or unrecognized response' },
} as const satisfies Record<string, WinHttpError>;

/** Win32 / Winsock codes a WinHTTP trace shows underneath the WinHTTP error (docs/reference.md §3.3). */
export const WIN32 = {
  ERROR_TIMEOUT: { code: 1460, name: 'ERROR_TIMEOUT' },
  WSAECONNRESET: { code: 10054, name: 'WSAECONNRESET' },
  WSAETIMEDOUT: { code: 10060, name: 'WSAETIMEDOUT' },
  WSAECONNREFUSED: { code: 10061, name: 'WSAECONNREFUSED' },
  WSAEHOSTUNREACH: { code: 10065, name: 'WSAEHOSTUNREACH' },
  WSAHOST_NOT_FOUND: { code: 11001, name: 'WSAHOST_NOT_FOUND' },
  ERROR_WINHTTP_INVALID_SERVER_RESPONSE: { code: 12152, name: 'ERROR_WINHTTP_INVALID_SERVER_RESPONSE' },
} as const;
