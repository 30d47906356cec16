import { describe, expect, it } from 'vitest';
import { CONNECTIONS_REFUSED, HTTPERR_REASONS_WRITTEN } from '../iis/httperr-reason.ts';
import { HOST_WIN32 } from '../iis/win32-status.ts';
import { HTTPERR_REASONS } from '../lab/decode/httperr-reasons.ts';
import { IIS_STATUS_CODES, iisStatusKey } from '../lab/decode/iis-status-codes.ts';
import { WIN32_CODES } from '../lab/decode/win32-codes.ts';
import { WINHTTP_CODES } from '../lab/decode/winhttp-codes.ts';
import { CLASSIFICATION, UNCLASSIFIED, win32StatusOf } from '../proxy/failure-classification.ts';
import { WIN32, WINHTTP } from '../proxy/winhttp-errors.ts';

/**
 * Each code table belongs to the layer that emits its codes (iis/, proxy/); `arr-lab decode` only
 * explains them. Decode may explain more (a reader's logs come from real servers), but each such
 * entry says it is not produced by the lab.
 */
const ROWS = [...CLASSIFICATION, UNCLASSIFIED];

/** Every WinHTTP error the proxy can report, and every Win32 code the host model or the proxy writes. */
const winhttpEmitted = new Map<number, string>(Object.values(WINHTTP).map((e) => [e.code, e.name]));
const win32Emitted = new Map<number, string>(
  [...Object.values(HOST_WIN32), ...Object.values(WIN32)].filter((e) => !winhttpEmitted.has(e.code)).map((e) => [e.code, e.name]),
);

describe('code tables: the layers own the codes, decode explains them', () => {
  it('the failure table reports only codes of the proxy\'s own tables', () => {
    for (const row of ROWS) {
      if (row.winhttp) expect(winhttpEmitted.get(row.winhttp.code), row.id).toBe(row.winhttp.name);
      if (row.cause) expect(winhttpEmitted.get(row.cause.code) ?? win32Emitted.get(row.cause.code), row.id).toBe(row.cause.name);
    }
  });

  it('decode explains every WinHTTP error the proxy can report, under the proxy\'s name, and marks every other', () => {
    for (const [code, name] of winhttpEmitted) {
      const entries = WINHTTP_CODES.filter((c) => c.code === code);
      expect(entries.map((c) => [c.name, c.notProducedByLab]), String(code)).toEqual([[name, undefined]]);
    }
    const extra = WINHTTP_CODES.filter((c) => !winhttpEmitted.has(c.code));
    expect(extra.filter((c) => !c.notProducedByLab).map((c) => c.code)).toEqual([]);
  });

  it('decode explains every Win32 / Winsock code the host model and the proxy write, and marks every other', () => {
    for (const [code, name] of win32Emitted) {
      const entries = WIN32_CODES.filter((c) => c.code === code);
      expect(entries.map((c) => [c.name, c.notProducedByLab]), String(code)).toEqual([[name, undefined]]);
    }
    const extra = WIN32_CODES.filter((c) => !win32Emitted.has(c.code));
    expect(extra.filter((c) => !c.notProducedByLab).map((c) => c.code)).toEqual([]);
  });

  it('decode explains every HTTPERR reason the host model writes, and marks every other', () => {
    const written = new Set<string>([...HTTPERR_REASONS_WRITTEN, CONNECTIONS_REFUSED]);
    for (const reason of written) {
      expect(HTTPERR_REASONS.filter((r) => r.reason === reason).map((r) => r.notProducedByLab), reason).toEqual([undefined]);
    }
    expect(HTTPERR_REASONS.filter((r) => !written.has(r.reason) && !r.notProducedByLab).map((r) => r.reason)).toEqual([]);
  });

  it('decode explains every status.substatus and sc-win32-status the failure table logs', () => {
    const statuses = new Set(IIS_STATUS_CODES.map(iisStatusKey));
    for (const row of ROWS) {
      expect(statuses.has(iisStatusKey(row)), `${row.id}: ${row.status}.${row.substatus}`).toBe(true);
      const win32 = win32StatusOf(row);
      expect(win32 === 0 || winhttpEmitted.has(win32), `${row.id}: ${win32}`).toBe(true);
    }
  });
});
