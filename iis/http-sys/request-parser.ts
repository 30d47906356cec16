import type { HttpErrReason } from '../httperr-reason.ts';
import type { AnswerId } from './answers.ts';
import type { HttpSysSettings } from './settings.ts';
import { KNOWN_REQUEST_HEADERS } from '../request-headers.ts';

/** A request's line and headers as http.sys parsed them. */
export interface RequestHead {
  method: string;
  /** Origin-form URL (path and query); an absolute-form URL is reduced to it. */
  url: string;
  httpVersion: HttpVersion;
  /** Lower-case names; repeated headers as arrays. */
  headers: Record<string, string | string[]>;
  /** Name, value, name, value... as received. */
  rawHeaders: string[];
  keepAlive: boolean;
  body: { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' };
  expectContinue: boolean;
}

/** '0.9': a request line with no version, answered with the body alone (docs/reference.md §6.6). */
export type HttpVersion = '0.9' | '1.0' | '1.1';

/** Why http.sys refused a request, and what of it it had parsed for the HTTPERR line (§6.3). */
export interface Rejection {
  answer: AnswerId;
  reason: HttpErrReason;
  version: string | undefined;
  method: string | undefined;
  uri: string | undefined;
}

export type HeadResult =
  | { kind: 'more' }
  | { kind: 'head'; head: RequestHead; size: number }
  | { kind: 'reject'; rejection: Rejection };

type Limits = Pick<
  HttpSysSettings,
  | 'maxFieldLength'
  | 'maxRequestBytes'
  | 'urlSegmentMaxLength'
  | 'urlSegmentMaxCount'
  | 'maxHeaderCount'
  | 'obsFold'
  | 'bareLf'
  | 'allowCaseInsensitiveVerbs'
  | 'allowWeakHeaderNameSyntax'
  | 'allowWeakHeaderValueSyntax'
  | 'allowUnEscapedRestrictedChars'
  | 'unknownExpectation'
>;

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** A header name with separators (`?`, `/`, `@`…), taken with AllowWeakHeaderNameSyntax; white space never [I]. */
const WEAK_NAME = /^[\x21-\x39\x3b-\x7e]+$/;
/** Control characters refused in a header value; with AllowWeakHeaderValueSyntax only NUL, CR and LF [I]. */
const VALUE_CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
const VALUE_CONTROL_WEAK = /[\x00\x0a\x0d]/;
const VERSION = /^HTTP\/(\d+)\.(\d+)$/;
/** reg-name, IPv4 or [IPv6], optional port (RFC 3986 host as http.sys checks it [I]). */
const HOST = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=%]+|\[[0-9A-Fa-f:.]+\])(?::\d{0,5})?$/;
const BODY_METHODS = new Set(['POST', 'PUT']);

/**
 * Header names as clients and ARR spell them, each kept once: a request holds these copies rather
 * than strings of its own (a held request keeps its headers for as long as it is held).
 */
const COMMON_NAMES = new Map(
  [...KNOWN_REQUEST_HEADERS, 'X-Original-URL', 'X-Forwarded-For', 'X-ARR-LOG-ID', 'X-ARR-SSL', 'X-ARR-ClientCert', 'X-Arr-Lab-Request']
    .flatMap((name) => [name, name.toLowerCase()])
    .map((name) => [name, name]),
);
/** The lower-case form of each common name. */
const LOWER_NAMES = new Map([...COMMON_NAMES.keys()].map((name) => [name, name.toLowerCase()]));

/**
 * Parses a request's head from the bytes at the start of `buf`, as http.sys would: it answers as
 * soon as the bytes already received break a limit or the syntax, without waiting for the rest.
 */
export function parseHead(buf: Buffer, limits: Limits): HeadResult {
  const headEnd = limits.bareLf === 'accept' ? blankLineEnd(buf) : crlfBlankLineEnd(buf);
  const scanned = headEnd >= 0 ? headEnd : buf.length;
  // A complete head is read as text once, and looked at as text from then on.
  const text = headEnd >= 0 ? buf.toString('latin1', 0, headEnd) : undefined;
  const firstLf = text !== undefined ? text.indexOf('\n') : buf.indexOf(0x0a);
  const lineEnd = firstLf >= 0 && firstLf < scanned ? firstLf : -1;

  // The request line as far as it has come: the verb is judged as soon as its space arrives.
  const line =
    text !== undefined ? text.slice(0, lineEnd) : buf.toString('latin1', 0, lineEnd >= 0 ? lineEnd : Math.min(buf.length, limits.maxFieldLength + 1));
  const sp = line.indexOf(' ');
  const verb = sp >= 0 ? line.slice(0, sp) : line;
  if ((sp >= 0 || lineEnd >= 0 || verb.length > 0) && !validVerb(verb, limits)) return reject('invalid-verb', 'Verb');
  if (lineEnd < 0 && line.length > limits.maxFieldLength) return reject('url-too-long', 'URL_Length', undefined, verb);
  const early = lineEnd >= 0 ? checkRequestLine(trimCr(line), limits) : undefined;
  if (early?.kind === 'reject') return early;
  if (early?.httpVersion === '0.9') return { kind: 'head', size: lineEnd + 1, head: simpleRequest(early) };
  const seen = (answer: AnswerId, reason: HttpErrReason) => reject(answer, reason, early?.version, early?.method ?? (sp >= 0 ? verb : undefined), early?.uri);
  if (limits.bareLf === 'reject' && hasBareCrOrLf(text ?? buf.toString('latin1', 0, scanned))) return seen('bad-request', 'Invalid_CR/LF');
  // A CR that no LF follows ends nothing: 400 BadRequest, the request line already parsed (docs/reference.md §6.6).
  if (limits.bareLf === 'accept' && (text !== undefined ? hasBareCrIn(text) : hasBareCr(buf, scanned))) return seen('bad-request', 'BadRequest');

  if (headEnd < 0) {
    if (buf.length > limits.maxRequestBytes) return seen('request-too-long', 'RequestLength');
    if (early && buf.length - buf.lastIndexOf(0x0a) - 1 > limits.maxFieldLength) return seen('field-too-long', 'FieldLength');
    return { kind: 'more' };
  }
  if (headEnd > limits.maxRequestBytes + 2) return seen('request-too-long', 'RequestLength');
  // A complete head holds its request line's LF, so the line has been checked (and accepted) above.
  return parseComplete(text!, headEnd, early as LineParts, limits);
}

interface LineParts {
  kind: 'line';
  method: string;
  target: string;
  version: string;
  httpVersion: HttpVersion;
  uri: string | undefined;
}

function checkRequestLine(line: string, limits: Limits): LineParts | { kind: 'reject'; rejection: Rejection } {
  const parts = line.split(' ');
  const method = parts[0]!;
  if (line.length > limits.maxFieldLength) return reject('url-too-long', 'URL_Length', undefined, method);
  if (parts.length === 2 && parts[1] !== '') {
    if (method !== 'GET') return reject('bad-request', 'BadRequest', undefined, method, parts[1]);
    const url = checkTarget(method, parts[1]!, limits);
    if (url === undefined) return reject('invalid-url', 'URL', undefined, method);
    return { kind: 'line', method, target: parts[1]!, version: 'HTTP/0.9', httpVersion: '0.9', uri: url };
  }
  if (parts.length !== 3 || parts[1] === '') return reject('bad-request', 'BadRequest', undefined, method);
  const target = parts[1]!;
  const spelled = parts[2]!;
  // Nearly every request says HTTP/1.1 or HTTP/1.0 in so many letters.
  const v = spelled === 'HTTP/1.1' || spelled === 'HTTP/1.0' ? undefined : VERSION.exec(spelled);
  if (v === null) return reject('bad-request', 'BadRequest', undefined, method, target);
  const major = v === undefined ? 1 : Number(v[1]);
  const minor = v === undefined ? (spelled === 'HTTP/1.1' ? 1 : 0) : Number(v[2]);
  const version = v === undefined ? spelled : major >= 10 || minor >= 10 ? 'HTTP/?.?' : `HTTP/${major}.${minor}`;
  if (major !== 1 || minor > 1) return reject('version-not-supported', 'Version_N/S', version, method, target);
  const url = checkTarget(method, target, limits);
  if (url === undefined) return reject('invalid-url', 'URL', version, method);
  return { kind: 'line', method, target, version, httpVersion: minor === 0 ? '1.0' : '1.1', uri: url };
}

/** The origin-form URL of a request target, or undefined when http.sys refuses it (400 URL). */
function checkTarget(method: string, target: string, limits: Limits): string | undefined {
  if (target === '*') return method === 'OPTIONS' ? '*' : undefined;
  let path = target;
  if (!target.startsWith('/')) {
    const m = /^https?:\/\/[^/?#]+(.*)$/i.exec(target);
    if (!m) return undefined;
    path = m[1] === '' ? '/' : m[1]!;
    if (!path.startsWith('/') && !path.startsWith('?')) return undefined;
    if (path.startsWith('?')) path = `/${path}`;
  }
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    // Raw controls other than NUL, TAB, LF, CR only with AllowUnEscapedRestrictedChars (W32-PARSEEXC, §6.6).
    const control = c < 0x20 || c === 0x7f;
    if (control && !(limits.allowUnEscapedRestrictedChars && c !== 0x00 && c !== 0x09 && c !== 0x0a && c !== 0x0d)) return undefined;
    if (c === 0x20 || c === 0x23) return undefined;
    if (c === 0x25) {
      const hex = path.slice(i + 1, i + 3);
      if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return undefined;
      const byte = Number.parseInt(hex, 16);
      // AllowRestrictedChars = 0 (KB 820129): escapes that decode to controls are refused.
      if (byte < 0x20 || (byte >= 0x7f && byte <= 0x9f)) return undefined;
    }
  }
  // The path's segments (what follows each `/` before the query): how many, and the longest.
  const q = path.indexOf('?');
  const end = q < 0 ? path.length : q;
  let segments = 0;
  let longest = 0;
  for (let slash = path.indexOf('/'); slash >= 0 && slash < end; ) {
    const next = path.indexOf('/', slash + 1);
    const stop = next >= 0 && next < end ? next : end;
    segments++;
    longest = Math.max(longest, stop - slash - 1);
    slash = stop < end ? stop : -1;
  }
  if (limits.urlSegmentMaxCount > 0 && segments > limits.urlSegmentMaxCount) return undefined;
  if (limits.urlSegmentMaxLength > 0 && longest > limits.urlSegmentMaxLength) return undefined;
  return path;
}

function simpleRequest(line: LineParts): RequestHead {
  return { method: detached(line.method), url: detached(line.uri!), httpVersion: '0.9', headers: {}, rawHeaders: [], keepAlive: false, body: { kind: 'none' }, expectContinue: false };
}

function parseComplete(text: string, size: number, rl: LineParts, limits: Limits): HeadResult {
  const { method } = rl;
  const rawHeaders: string[] = [];
  const headers: Record<string, string | string[]> = {};
  // The header lines: from after the request line to the blank line that ends the head (the LF
  // before the head's last LF); each ends at an LF, a CR before it not being part of the line.
  const last = text.lastIndexOf('\n', size - 2);
  for (let at = text.indexOf('\n') + 1; at <= last; ) {
    const lf = text.indexOf('\n', at);
    const l = text.slice(at, lf > at && text.charCodeAt(lf - 1) === 0x0d ? lf - 1 : lf);
    at = lf + 1;
    if (l.length > limits.maxFieldLength) return no(rl, 'field-too-long', 'FieldLength');
    const first = l.charCodeAt(0);
    const lws = first === 0x20 || first === 0x09;
    if (lws && rawHeaders.length > 0) {
      if (limits.obsFold === 'reject') return no(rl, 'invalid-header', 'Header');
      rawHeaders[rawHeaders.length - 1] = detached(`${rawHeaders[rawHeaders.length - 1]} ${l.trim()}`);
      continue;
    }
    // White space between the request line and the first header is skipped (Parser Enhancements, §6.6).
    const field = lws ? l.replace(/^[ \t]+/, '') : l;
    const colon = field.indexOf(':');
    if (colon <= 0) return no(rl, 'invalid-header', 'Header');
    const spelled = field.slice(0, colon);
    const common = COMMON_NAMES.get(spelled);
    const name = common ?? detached(spelled);
    // Every common name is a token.
    if (common === undefined && !TOKEN.test(name) && !(limits.allowWeakHeaderNameSyntax && WEAK_NAME.test(name))) return no(rl, 'invalid-header', 'Header');
    const value = detached(trimSpaceAndTab(field, colon + 1));
    if ((limits.allowWeakHeaderValueSyntax ? VALUE_CONTROL_WEAK : VALUE_CONTROL).test(value)) return no(rl, 'invalid-header', 'Header');
    // A repeated Content-Length of the same value is one length (RFC 9110 section 8.6); the pipeline sees it once [I].
    if (isContentLength(name) && rawHeaders.some((n, j) => j % 2 === 0 && isContentLength(n) && rawHeaders[j + 1] === value)) continue;
    rawHeaders.push(name, value);
  }
  if (limits.maxHeaderCount > 0 && rawHeaders.length / 2 > limits.maxHeaderCount) return no(rl, 'request-too-long', 'RequestLength');
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = LOWER_NAMES.get(rawHeaders[i]!) ?? rawHeaders[i]!.toLowerCase();
    const value = rawHeaders[i + 1]!;
    const prior = headers[name];
    headers[name] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
  }

  // Host: required on HTTP/1.1, exactly once, a valid host[:port]; an absolute-form target names its own.
  const host = headers.host;
  if (Array.isArray(host)) return no(rl, 'invalid-hostname', 'Hostname');
  if (host === undefined ? rl.httpVersion === '1.1' && rl.target.startsWith('/') : !HOST.test(host)) return no(rl, 'invalid-hostname', 'Hostname');

  const te = headers['transfer-encoding'];
  const cl = headers['content-length'];
  let body: RequestHead['body'] = { kind: 'none' };
  if (te !== undefined) {
    const codings = (Array.isArray(te) ? te.join(',') : te).split(',').map((c) => c.trim().toLowerCase());
    if (codings.length !== 1 || codings[0] !== 'chunked') return no(rl, 'transfer-coding-not-implemented', 'N/I');
    if (cl !== undefined) return no(rl, 'bad-request', 'BadRequest');
    body = { kind: 'chunked' };
  } else if (cl !== undefined) {
    const values = Array.isArray(cl) ? cl : [cl];
    if (!values.every((v) => /^\d{1,15}$/.test(v))) return no(rl, 'bad-request', 'Number');
    if (values.some((v) => Number(v) !== Number(values[0]))) return no(rl, 'bad-request', 'BadRequest');
    body = { kind: 'length', length: Number(values[0]) };
  } else if (BODY_METHODS.has(method)) {
    return no(rl, 'length-required', 'LengthRequired');
  }

  const connection = (Array.isArray(headers.connection) ? headers.connection.join(',') : (headers.connection ?? '')).toLowerCase();
  const keepAlive = rl.httpVersion === '1.1' ? !/(^|,)\s*close\s*(,|$)/.test(connection) : /(^|,)\s*keep-alive\s*(,|$)/.test(connection);
  const expect = headers.expect;
  const continues = typeof expect === 'string' && expect.toLowerCase() === '100-continue';
  if (expect !== undefined && !continues && limits.unknownExpectation === 'refuse') return no(rl, 'expectation-failed', 'BadRequest');
  return {
    kind: 'head',
    size,
    head: {
      method: detached(method),
      url: detached(rl.uri!),
      httpVersion: rl.httpVersion,
      headers,
      // A copy of its own length: pushes left room for dozens more, kept for as long as the request is held.
      rawHeaders: rawHeaders.slice(),
      keepAlive,
      body,
      expectContinue: rl.httpVersion === '1.1' && continues,
    },
  };
}

/**
 * End of the blank line that closes the head, lines ended by CRLF or LF alone (§6.6); -1 if none
 * yet. Two searches, the LF-LF one only in front of the first LF-CRLF (a body after the head is
 * not scanned).
 */
function blankLineEnd(buf: Buffer): number {
  const crlf = buf.indexOf('\n\r\n');
  const lf = (crlf >= 0 ? buf.subarray(0, crlf + 1) : buf).indexOf('\n\n');
  if (lf >= 0) return lf + 2;
  return crlf >= 0 ? crlf + 3 : -1;
}

function crlfBlankLineEnd(buf: Buffer): number {
  const end = buf.indexOf('\r\n\r\n');
  return end >= 0 ? end + 4 : -1;
}

/** A CR inside the head that is not followed by LF (the last byte received may still get its LF). */
function hasBareCr(buf: Buffer, scanned: number): boolean {
  for (let i = buf.indexOf(0x0d); i >= 0 && i < scanned - 1; i = buf.indexOf(0x0d, i + 1)) if (buf[i + 1] !== 0x0a) return true;
  return false;
}

/** The same, in a complete head's text. */
function hasBareCrIn(text: string): boolean {
  for (let i = text.indexOf('\r'); i >= 0 && i < text.length - 1; i = text.indexOf('\r', i + 1)) if (text.charCodeAt(i + 1) !== 0x0a) return true;
  return false;
}

/** A token; lower-case letters only with AllowCaseInsensitiveVerbs (§6.6). */
function validVerb(verb: string, limits: Limits): boolean {
  return TOKEN.test(verb) && (limits.allowCaseInsensitiveVerbs || verb === verb.toUpperCase());
}

function hasBareCrOrLf(text: string): boolean {
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) if (text.charCodeAt(i - 1) !== 0x0d) return true;
  // A CR as the last byte received may still get its LF.
  for (let i = text.indexOf('\r'); i >= 0 && i < text.length - 1; i = text.indexOf('\r', i + 1)) if (text.charCodeAt(i + 1) !== 0x0a) return true;
  return false;
}

/**
 * A string that holds its own characters. V8 makes a slice of 13 characters or more a view of the
 * string it was cut from: one header value kept for a held request would keep the whole head's
 * text alive with it. Shorter slices are copies already.
 */
function detached(s: string): string {
  return s.length < 13 ? s : Buffer.from(s, 'latin1').toString('latin1');
}

function trimCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

function reject(answer: AnswerId, reason: HttpErrReason, version?: string, method?: string, uri?: string): { kind: 'reject'; rejection: Rejection } {
  return { kind: 'reject', rejection: { answer, reason, version, method, uri } };
}

/** The answer to a request whose line was parsed: the HTTPERR line gets its version, verb and URL. */
function no(rl: LineParts, answer: AnswerId, reason: HttpErrReason): { kind: 'reject'; rejection: Rejection } {
  return reject(answer, reason, rl.version, rl.method, rl.uri);
}

/** `text` from `start`, without the spaces and tabs at either end. */
function trimSpaceAndTab(text: string, start: number): string {
  let from = start;
  let to = text.length;
  while (from < to && (text.charCodeAt(from) === 0x20 || text.charCodeAt(from) === 0x09)) from++;
  while (to > from && (text.charCodeAt(to - 1) === 0x20 || text.charCodeAt(to - 1) === 0x09)) to--;
  return text.slice(from, to);
}

function isContentLength(name: string): boolean {
  return name.length === 14 && name.toLowerCase() === 'content-length';
}
