import { utcParts } from '../core/clock.ts';
import type { HttperrEntry, W3cEntry } from './log-records.ts';

/**
 * W3C extended log conventions shared by the W3SVC and HTTPERR logs: one space between fields,
 * `-` for an empty field, `+` for spaces and non-printable characters inside a field, UTC
 * date and time without milliseconds, CRLF line ends (docs/reference.md §5.1-5.2, §6.3).
 */
export const CRLF = '\r\n';

const SPACE_OR_CONTROL = /[\x00-\x20\x7f]/;
const SPACES_AND_CONTROLS = /[\x00-\x20\x7f]/g;

export function w3cValue(value: string | number | undefined): string {
  if (value === undefined || value === '') return '-';
  if (typeof value === 'number') return String(value);
  return SPACE_OR_CONTROL.test(value) ? value.replace(SPACES_AND_CONTROLS, '+') : value;
}

/**
 * `cs-uri-query` with what the handler appended to the log (ARR's `X-ARR-CACHE-HIT=0&X-ARR-LOG-ID=…`,
 * docs/reference.md §5.2, DOC-CACHE), joined to the request's own query with `&` [I].
 */
export function logQuery(query: string | undefined, appended: readonly string[]): string | undefined {
  let joined = query === '' ? undefined : query;
  for (const part of appended) if (part !== '') joined = joined === undefined ? part : `${joined}&${part}`;
  return joined ?? query;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const PLAIN_STEM = /^[\x21-\x24\x26-\x7e]*$/;

/**
 * `cs-uri-stem` as IIS logs it: the path percent-decoded and, under `logInUTF8` (the default,
 * docs/reference.md §5.2), read as UTF-8; spaces then become `+` like any space in a field. `target` is the
 * request target as its bytes came off the wire, one char per byte (how Node's parser hands it
 * over), so raw UTF-8 in a request line is not encoded twice. A path that is not valid UTF-8 once
 * decoded is logged as it came [I].
 */
export function logStem(target: string): string {
  // Nothing to decode: printable ASCII without a percent sign is logged as it came.
  if (PLAIN_STEM.test(target)) return target;
  const bytes = Buffer.from(target, 'latin1');
  const decoded: number[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const hex = bytes[i] === 0x25 && i + 2 < bytes.length ? bytes.subarray(i + 1, i + 3).toString('latin1') : '';
    if (/^[0-9a-fA-F]{2}$/.test(hex)) {
      decoded.push(Number.parseInt(hex, 16));
      i += 2;
    } else decoded.push(bytes[i]!);
  }
  try {
    return utf8.decode(Uint8Array.from(decoded));
  } catch {
    return target;
  }
}

/** IIS 10 default field order for a site (`logExtFileFlags` default), docs/reference.md §5.1. */
export const W3SVC_DEFAULT_FIELDS = [
  'date', 'time', 's-ip', 'cs-method', 'cs-uri-stem', 'cs-uri-query', 's-port', 'cs-username', 'c-ip',
  'cs(User-Agent)', 'cs(Referer)', 'sc-status', 'sc-substatus', 'sc-win32-status', 'time-taken',
] as const;

/** HTTPERR `#Fields` per Windows generation, docs/reference.md §6.2. */
export const HTTPERR_FIELD_VARIANTS = {
  /** Vista / Server 2008 to 2012 R2. */
  legacy: ['date', 'time', 'c-ip', 'c-port', 's-ip', 's-port', 'cs-version', 'cs-method', 'cs-uri', 'sc-status', 's-siteid', 's-reason', 's-queuename'],
  /** Windows 10 / Server 2016 and later (HTTP/2 stream id). */
  streamid: ['date', 'time', 'c-ip', 'c-port', 's-ip', 's-port', 'cs-version', 'cs-method', 'cs-uri', 'streamid', 'sc-status', 's-siteid', 's-reason', 's-queuename'],
} as const;
export type HttperrVariant = keyof typeof HTTPERR_FIELD_VARIANTS;

function truncateBytes(text: string, max: number): string {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length <= max ? text : bytes.subarray(0, max).toString('utf8').replace(/\uFFFD$/, '');
}

/** An IPv6 address in HTTPERR carries its scope id, `%0` when it has none (docs/reference.md §6.3 [C]). */
function withScope(ip: string | undefined): string | undefined {
  return ip !== undefined && ip.includes(':') && !ip.includes('%') ? `${ip}%0` : ip;
}

/**
 * An HTTPERR entry as http.sys writes its fields (docs/reference.md §6.3 [V W32-ERRFMT]): `cs-method`
 * truncated at 255 bytes and `cs-uri` at 4096, `HTTP/?.?` for a version whose major or minor
 * number is 10 or more, IPv6 addresses with their scope id.
 */
export function httperrFields(entry: HttperrEntry): HttperrEntry {
  const version = entry['cs-version'];
  const v = version === undefined ? undefined : /^HTTP\/(\d+)\.(\d+)$/.exec(version);
  return {
    ...entry,
    'c-ip': withScope(entry['c-ip']),
    's-ip': withScope(entry['s-ip']),
    'cs-version': v && (Number(v[1]) >= 10 || Number(v[2]) >= 10) ? 'HTTP/?.?' : version,
    'cs-method': entry['cs-method'] === undefined ? undefined : truncateBytes(entry['cs-method'], 255),
    'cs-uri': entry['cs-uri'] === undefined ? undefined : truncateBytes(entry['cs-uri'], 4096),
  };
}

export function directives(software: string, createdAt: number, fields: readonly string[]): string {
  const { date, time } = utcParts(createdAt);
  return `#Software: ${software}${CRLF}#Version: 1.0${CRLF}#Date: ${date} ${time}${CRLF}#Fields: ${fields.join(' ')}${CRLF}`;
}

function line(at: number, fields: readonly string[], pick: (field: string) => string | number | undefined): string {
  const { date, time } = utcParts(at);
  let out = '';
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    out += `${i === 0 ? '' : ' '}${f === 'date' ? date : f === 'time' ? time : w3cValue(pick(f))}`;
  }
  return out + CRLF;
}

export function w3cLine(at: number, entry: W3cEntry, fields: readonly string[] = W3SVC_DEFAULT_FIELDS): string {
  if (fields === W3SVC_DEFAULT_FIELDS) return defaultW3cLine(at, entry);
  return line(at, fields, (f) => entry[f as keyof W3cEntry]);
}

/** The line of a site with the default fields, written out: a member writes one per request. */
function defaultW3cLine(at: number, e: W3cEntry): string {
  const { date, time } = utcParts(at);
  return (
    `${date} ${time} ${w3cValue(e['s-ip'])} ${w3cValue(e['cs-method'])} ${w3cValue(e['cs-uri-stem'])} ${w3cValue(e['cs-uri-query'])} ` +
    `${w3cValue(e['s-port'])} ${w3cValue(e['cs-username'])} ${w3cValue(e['c-ip'])} ${w3cValue(e['cs(User-Agent)'])} ${w3cValue(e['cs(Referer)'])} ` +
    `${w3cValue(e['sc-status'])} ${w3cValue(e['sc-substatus'])} ${w3cValue(e['sc-win32-status'])} ${w3cValue(e['time-taken'])}${CRLF}`
  );
}

export function httperrLine(at: number, entry: HttperrEntry, variant: HttperrVariant): string {
  return line(at, HTTPERR_FIELD_VARIANTS[variant], (f) => entry[f as keyof HttperrEntry]);
}
