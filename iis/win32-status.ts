/**
 * The Win32 codes the host model itself reports, in `sc-win32-status` and in FREB ErrorCode
 * descriptions, with their FormatMessage texts (docs/reference.md §3.3, W32-SYSERR [V]). One table: the
 * pipeline, the trace writer and `arr-lab decode` all read it.
 */
export const HOST_WIN32 = {
  ERROR_SUCCESS: { code: 0, name: 'ERROR_SUCCESS', text: 'The operation completed successfully.' },
  ERROR_NETNAME_DELETED: { code: 64, name: 'ERROR_NETNAME_DELETED', text: 'The specified network name is no longer available.' },
  ERROR_CONNECTION_INVALID: { code: 1229, name: 'ERROR_CONNECTION_INVALID', text: 'An operation was attempted on a nonexistent network connection.' },
  ERROR_CONNECTION_ABORTED: { code: 1236, name: 'ERROR_CONNECTION_ABORTED', text: 'The network connection was aborted by the local system.' },
} as const;

/** HRESULT_FROM_WIN32. */
export function hresultFromWin32(code: number): number {
  return code === 0 ? 0 : (0x80070000 | code) >>> 0;
}
