import { HOST_WIN32, hresultFromWin32 } from '../win32-status.ts';

/**
 * iisfreb.dll renders an ErrorCode as `<text> (0x%x)`, stripping only the final LF of the system
 * message, so the CR stays (docs/reference.md §7.3, DEC-FREB). Codes not from the host model (ARR's WinHTTP
 * errors) bring their own text.
 */
const WIN32_TEXTS = new Map<number, string>(Object.values(HOST_WIN32).map((e) => [hresultFromWin32(e.code), e.text]));

export function errorCodeDescription(hresult: number, text?: string): string {
  const known = text ?? WIN32_TEXTS.get(hresult >>> 0);
  const hex = `0x${(hresult >>> 0).toString(16)}`;
  return known === undefined ? `(${hex})` : `${known}\r (${hex})`;
}
