import { hex8 } from '../../iis/detailed-error-page.ts';

/**
 * What a code written on the command line can be: an HRESULT (hex as the error page shows it,
 * unsigned decimal as FREB stores it, or signed), a bare Win32 / WinHTTP / Winsock number or HTTP
 * status, an IIS status.substatus (optionally with the sc-win32-status: `200.0.64`, or the W3SVC
 * tail `502 3 12002`), or a name (HTTPERR reason, ERROR_* / WSA* constant).
 */
export type CodeQuery =
  | { kind: 'number'; value: number; read: string }
  | { kind: 'hresult'; value: number; read: string }
  | { kind: 'status'; status: number; substatus: number; win32: number | undefined; read: string }
  | { kind: 'name'; name: string; read: string };

export const USAGE =
  'an HRESULT (0x80072ee2, or 2147954402 as FREB stores it), a WinHTTP / Win32 / Winsock number (12002, 64, 10054), ' +
  'an IIS status (502.3, 200.0.64) or a name (Connection_Dropped, ERROR_WINHTTP_TIMEOUT)';

export class NotACodeError extends Error {}

export function hex(n: number): string {
  return `0x${(n >>> 0).toString(16)}`;
}

export function parseCode(input: string): CodeQuery {
  const text = input.trim();
  const hexMatch = /^0x([0-9a-f]{1,8})$/i.exec(text);
  if (hexMatch) {
    const value = Number.parseInt(hexMatch[1]!, 16);
    // Eight digits is how the error page and err.exe write an HRESULT, even 0x00000000.
    if (value > 0xffff || hexMatch[1]!.length === 8) return { kind: 'hresult', value, read: `HRESULT ${hex8(value)}` };
    return { kind: 'number', value, read: `number ${value} (${hex(value)})` };
  }
  if (/^-?\d+$/.test(text)) {
    const value = Number(text);
    if (value < 0 && value >= -0x80000000) return { kind: 'hresult', value: value >>> 0, read: `signed HRESULT ${value} = ${hex8(value >>> 0)}` };
    if (value >= 0x80000000 && value <= 0xffffffff) return { kind: 'hresult', value, read: `decimal HRESULT ${value} (as FREB stores ErrorCode) = ${hex8(value)}` };
    if (value >= 0 && value <= 0xffff) return { kind: 'number', value, read: `number ${value} (${hex(value)})` };
    throw new NotACodeError(`${text} is neither a Win32 code (0-65535) nor an error HRESULT (0x80000000 and up, 2147483648 in decimal)`);
  }
  const status = /^(\d{3})[.\s]+(\d{1,4})(?:[.\s]+(\d{1,5}))?$/.exec(text);
  if (status) {
    const [, s, sub, win32] = status;
    return {
      kind: 'status',
      status: Number(s),
      substatus: Number(sub),
      win32: win32 === undefined ? undefined : Number(win32),
      read: win32 === undefined ? `IIS status ${s}.${sub}` : `W3SVC sc-status ${s}, sc-substatus ${sub}, sc-win32-status ${win32}`,
    };
  }
  if (/^[A-Za-z][\w/.-]*$/.test(text)) return { kind: 'name', name: text, read: `name ${text}` };
  throw new NotACodeError(`"${input}" is not a code: give ${USAGE}`);
}

/** The Win32 code inside an HRESULT: FACILITY_WIN32 (0x8007xxxx), or 0 for S_OK. */
export function win32OfHresult(hresult: number): number | undefined {
  if (hresult === 0) return 0;
  return (hresult & 0xffff0000) >>> 0 === 0x80070000 ? hresult & 0xffff : undefined;
}
