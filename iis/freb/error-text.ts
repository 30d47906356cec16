/**
 * FormatMessage texts of the Win32 codes the host model itself reports (reference §3.3). iisfreb.dll
 * renders an ErrorCode as `<text> (0x%x)`, stripping only the final LF of the system message, so
 * the CR stays (reference §7.3, DEC-FREB).
 */
const WIN32_TEXTS = new Map<number, string>([
  [0, 'The operation completed successfully.'],
  [0x80070040, 'The specified network name is no longer available.'],
  [0x800704cd, 'An operation was attempted on a nonexistent network connection.'],
]);

export function errorCodeDescription(hresult: number, text?: string): string {
  const known = text ?? WIN32_TEXTS.get(hresult >>> 0);
  const hex = `0x${(hresult >>> 0).toString(16)}`;
  return known === undefined ? `(${hex})` : `${known}\r (${hex})`;
}
