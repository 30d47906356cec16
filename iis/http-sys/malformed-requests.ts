import type { Evidence } from '../../core/evidence.ts';
import type { HttpErrReason } from '../httperr-reason.ts';
import type { AnswerId } from './answers.ts';
import type { HttpSysInput } from './settings.ts';

/**
 * Requests http.sys must take apart (docs/http-sys-front.md): the raw bytes a client sends, what
 * comes back on the wire, and the one log line the host writes. The test suite sends every row to
 * a running host; the guide prints the table. Evidence is for the pair (status, reason) as the
 * reference grades it: V verified, C corroborated, I inferred, U unverified (a switch says which
 * [U] choices can be turned the other way).
 */
export interface MalformedRequest {
  id: string;
  what: string;
  /** Raw bytes (latin1). */
  bytes: string;
  /** The client shuts its sending side (FIN) after the bytes. */
  shut?: true;
  /** http.sys settings of the host that receives it, when not the defaults. */
  settings?: HttpSysInput;
  expect:
    | {
        kind: 'httperr';
        answer: AnswerId;
        reason: HttpErrReason;
        /** cs-version, cs-method, cs-uri as the HTTPERR line reads them ('-' for nothing parsed). */
        fields: [string, string, string];
        /** The request had entered the pipeline (site id and queue name logged). */
        routed?: true;
      }
    | {
        kind: 'w3c';
        status: number;
        stem: string;
        /** An interim response before the final one. */
        interim?: string;
        /** Answered as HTTP/0.9: the body alone, no status line or headers. */
        bodyOnly?: true;
        /** Header lines the answer must carry. */
        headers?: readonly string[];
      };
  evidence: Evidence;
  why: string;
}

const H = 'Host: member\r\n';
const close = 'Connection: close\r\n';

function get(target: string, headers = H, version = 'HTTP/1.1'): string {
  return `GET ${target} ${version}\r\n${headers}\r\n`;
}

function refused(answer: AnswerId, reason: HttpErrReason, fields: [string, string, string]): MalformedRequest['expect'] {
  return { kind: 'httperr', answer, reason, fields };
}

export const MALFORMED_REQUESTS: readonly MalformedRequest[] = [
  { id: 'verb-bad-char', what: 'a verb with a character outside the token set', bytes: get('/').replace('GET', 'G@T'), expect: refused('invalid-verb', 'Verb', ['-', '-', '-']), evidence: 'C', why: 'Invalid Verb answer captured; reason Verb KB-HTTPERR' },
  { id: 'verb-lowercase', what: 'a verb in lower case', bytes: get('/').replace('GET', 'get'), expect: refused('invalid-verb', 'Verb', ['-', '-', '-']), evidence: 'C', why: 'refused unless AllowCaseInsensitiveVerbs (W32-PARSEEXC); lower-case probe lines answered Invalid Verb (CAP-VERB)' },
  { id: 'verb-lowercase-allowed', what: 'a verb in lower case with AllowCaseInsensitiveVerbs set', bytes: get('/', H + close).replace('GET', 'get'), settings: { allowCaseInsensitiveVerbs: true }, expect: { kind: 'w3c', status: 200, stem: '/' }, evidence: 'I', why: 'W32-PARSEEXC: the registry exception lets the parser take it; what the pipeline then does with the verb [I]' },
  { id: 'tls-client-hello', what: 'a TLS ClientHello on the plain-HTTP port', bytes: '\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03' + 'a'.repeat(32), expect: refused('invalid-verb', 'Verb', ['-', '-', '-']), evidence: 'I', why: 'non-HTTP probes of Windows hosts are answered Invalid Verb (nmap captures)' },
  { id: 'line-of-spaces', what: 'a request line of spaces', bytes: '     \r\n\r\n', expect: refused('invalid-verb', 'Verb', ['-', '-', '-']), evidence: 'U', why: 'an empty verb' },
  { id: 'http2-preface', what: 'the HTTP/2 connection preface (h2c prior knowledge)', bytes: 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', expect: refused('version-not-supported', 'Version_N/S', ['HTTP/2.0', 'PRI', '*']), evidence: 'I', why: 'http.sys speaks HTTP/2 only over TLS; KB-HTTPERR sample `HTTP/2.0 GET / 505 - Version_N/S`' },
  { id: 'version-2', what: 'GET / HTTP/2.0 in HTTP/1 syntax', bytes: get('/', H, 'HTTP/2.0'), expect: refused('version-not-supported', 'Version_N/S', ['HTTP/2.0', 'GET', '/']), evidence: 'V', why: 'KB-HTTPERR sample line' },
  { id: 'version-1-2', what: 'HTTP/1.2', bytes: get('/', H, 'HTTP/1.2'), expect: refused('version-not-supported', 'Version_N/S', ['HTTP/1.2', 'GET', '/']), evidence: 'I', why: 'only 1.0 and 1.1 are HTTP/1 versions http.sys serves' },
  { id: 'version-two-digits', what: 'HTTP/10.0 (major of two digits)', bytes: get('/', H, 'HTTP/10.0'), expect: refused('version-not-supported', 'Version_N/S', ['HTTP/?.?', 'GET', '/']), evidence: 'V', why: 'W32-ERRFMT: cs-version is HTTP/?.? when major or minor is 10 or more' },
  { id: 'version-garbage', what: 'a protocol that is not HTTP', bytes: get('/', H, 'HTTX/1.1'), expect: refused('bad-request', 'BadRequest', ['-', 'GET', '/']), evidence: 'C', why: 'CAP-FJORGE: `MYTEST . HT/9.9` answered 400 "badly formed" (311 bytes); the HTTPERR fields [I]' },
  { id: 'http-0-9', what: 'an HTTP/0.9 request (no version)', bytes: 'GET /\r\n', expect: { kind: 'w3c', status: 200, stem: '/', bodyOnly: true }, evidence: 'S', why: 'BLOG-GAFVERT: IIS 7 answers `GET /` with the body alone, no headers (IIS 6 sent them)' },
  { id: 'http-0-9-post', what: 'a request line of a verb other than GET and a URL, no version', bytes: 'POST /form\r\n', expect: refused('bad-request', 'BadRequest', ['-', 'POST', '/form']), evidence: 'U', why: 'HTTP/0.9 has only GET; what http.sys does with the rest is not shown' },
  { id: 'request-line-double-space', what: 'two spaces between verb and URL', bytes: 'GET  / HTTP/1.1\r\n' + H + '\r\n', expect: refused('bad-request', 'BadRequest', ['-', 'GET', '-']), evidence: 'U', why: 'RFC 9112 request-line is single-space separated' },
  { id: 'host-missing', what: 'HTTP/1.1 without Host', bytes: get('/', ''), expect: refused('invalid-hostname', 'Hostname', ['HTTP/1.1', 'GET', '/']), evidence: 'C', why: 'Invalid Hostname answer captured; KB-HTTPERR sample `GET /ThisIsMyUrl.htm 400 - Hostname`' },
  { id: 'host-duplicate', what: 'two Host headers', bytes: get('/', H + 'Host: other\r\n'), expect: refused('invalid-hostname', 'Hostname', ['HTTP/1.1', 'GET', '/']), evidence: 'I', why: 'RFC 9112 section 3.2: a server must answer 400' },
  { id: 'host-invalid', what: 'a Host holding a URL', bytes: get('/', 'Host: http://10.0.0.1/vdir\r\n'), expect: refused('invalid-hostname', 'Hostname', ['HTTP/1.1', 'GET', '/']), evidence: 'C', why: 'IIS support blog: Host with slashes, HTTPERR Hostname' },
  { id: 'field-too-long', what: 'a header longer than MaxFieldLength (set to 1024)', bytes: get('/', H + `X-Long: ${'a'.repeat(2000)}\r\n`), settings: { maxFieldLength: 1024 }, expect: refused('field-too-long', 'FieldLength', ['HTTP/1.1', 'GET', '/']), evidence: 'I', why: 'KB 820129 MaxFieldLength; reason FieldLength KB-HTTPERR' },
  { id: 'request-too-long', what: 'a 17 KB header (over MaxRequestBytes 16384)', bytes: get('/', H + `Cookie: ${'a'.repeat(17 * 1024)}\r\n`), expect: refused('request-too-long', 'RequestLength', ['HTTP/1.1', 'GET', '/']), evidence: 'V', why: 'KB-CLM: `… HTTP/1.1 GET /clm 400 - RequestLength`' },
  { id: 'too-many-headers', what: 'more headers than the lab limit (set to 10)', bytes: get('/', H + Array.from({ length: 10 }, (_, i) => `X-${i}: ${i}\r\n`).join('')), settings: { maxHeaderCount: 10 }, expect: refused('request-too-long', 'RequestLength', ['HTTP/1.1', 'GET', '/']), evidence: 'U', why: 'http.sys documents no header count; the lab switch models a front that has one' },
  { id: 'url-too-long', what: 'a request line longer than MaxFieldLength', bytes: get(`/?${'q'.repeat(17 * 1024)}`), expect: refused('url-too-long', 'URL_Length', ['-', 'GET', '-']), evidence: 'I', why: 'KB 820129: MaxFieldLength bounds the URL; 414 answer captured' },
  { id: 'url-segment-too-long', what: 'a URL segment over UrlSegmentMaxLength (260)', bytes: get(`/${'s'.repeat(261)}`), expect: refused('invalid-url', 'URL', ['HTTP/1.1', 'GET', '-']), evidence: 'C', why: 'KB 820129; a longer segment fails with 400 (public report)' },
  { id: 'url-too-many-segments', what: 'more segments than UrlSegmentMaxCount (255)', bytes: get('/a'.repeat(256)), expect: refused('invalid-url', 'URL', ['HTTP/1.1', 'GET', '-']), evidence: 'I', why: 'KB 820129 UrlSegmentMaxCount' },
  { id: 'url-bad-percent', what: 'a percent sign without two hex digits', bytes: get('/a%zzb'), expect: refused('invalid-url', 'URL', ['HTTP/1.1', 'GET', '-']), evidence: 'I', why: 'the URL cannot be decoded' },
  { id: 'url-escaped-control', what: '%01 in the URL', bytes: get('/a%01b'), expect: refused('invalid-url', 'URL', ['HTTP/1.1', 'GET', '-']), evidence: 'C', why: 'KB 820129 AllowRestrictedChars=0; Invalid URL answer captured for escaped controls' },
  { id: 'url-raw-control', what: 'a raw control character (0x01) in the URL', bytes: get('/a\x01b'), expect: refused('invalid-url', 'URL', ['HTTP/1.1', 'GET', '-']), evidence: 'C', why: 'refused unless AllowUnEscapedRestrictedChars (W32-PARSEEXC); Invalid URL answer captured for control characters' },
  { id: 'url-raw-control-allowed', what: 'a raw control character in the URL, with AllowUnEscapedRestrictedChars set', bytes: get('/a\x01b', H + close), settings: { allowUnEscapedRestrictedChars: true }, expect: { kind: 'w3c', status: 200, stem: '/a\x01b' }, evidence: 'I', why: 'W32-PARSEEXC: controls other than NUL, TAB, CR, LF are let through' },
  { id: 'url-nul', what: 'a NUL byte in the URL', bytes: get('/a\x00b'), expect: refused('invalid-url', 'URL', ['HTTP/1.1', 'GET', '-']), evidence: 'C', why: 'NUL in a URL is refused even with AllowUnEscapedRestrictedChars (W32-PARSEEXC); Invalid URL answer captured for NUL' },
  { id: 'url-fragment', what: 'a fragment (#) in the request target', bytes: get('/a#b'), expect: refused('invalid-url', 'URL', ['HTTP/1.1', 'GET', '-']), evidence: 'I', why: 'RFC 9112: the request target has no fragment' },
  { id: 'url-star-get', what: 'GET * (asterisk form with a verb other than OPTIONS)', bytes: get('*'), expect: refused('invalid-url', 'URL', ['HTTP/1.1', 'GET', '-']), evidence: 'I', why: 'RFC 9112 section 3.2.4: asterisk form is for OPTIONS only' },
  { id: 'connect', what: 'CONNECT host:port (authority form)', bytes: 'CONNECT member:443 HTTP/1.1\r\n' + H + '\r\n', expect: refused('invalid-url', 'URL', ['HTTP/1.1', 'CONNECT', '-']), evidence: 'U', why: 'http.sys is no forward proxy' },
  { id: 'bare-lf', what: 'lines ended by LF alone', bytes: 'GET /lf HTTP/1.1\nHost: member\nConnection: close\n\n', expect: { kind: 'w3c', status: 200, stem: '/lf' }, evidence: 'V', why: 'W32-PARSER: accepted by default since Windows Server 2003 SP1, no registry switch' },
  { id: 'bare-lf-strict', what: 'lines ended by LF alone, on a host set to refuse them', bytes: 'GET / HTTP/1.1\nHost: member\n\n', settings: { bareLf: 'reject' }, expect: refused('bad-request', 'Invalid_CR/LF', ['HTTP/1.1', 'GET', '/']), evidence: 'U', why: 'the lab switch httpSys.bareLf: reject (http.sys before 2003 SP1); reason Invalid_CR/LF KB-HTTPERR' },
  { id: 'head-ended-by-cr', what: 'a head ended by a CR alone', bytes: 'GET /page.htm HTTP/1.1\r\n' + H + '\rhello', expect: refused('bad-request', 'BadRequest', ['HTTP/1.1', 'GET', '/page.htm']), evidence: 'S', why: 'BLOG-CRLF: network trace and `HTTP/1.1 GET /page.htm 400 - BadRequest`' },
  { id: 'bare-cr', what: 'a CR alone inside a header value', bytes: get('/', H + 'X-A: a\rb\r\n'), expect: refused('bad-request', 'BadRequest', ['HTTP/1.1', 'GET', '/']), evidence: 'I', why: 'a CR no LF follows, as in BLOG-CRLF; control characters in values are refused (W32-PARSEEXC)' },
  { id: 'lws-before-headers', what: 'white space between the request line and the first header', bytes: 'GET / HTTP/1.1\r\n  Host: member\r\n' + close + '\r\n', expect: { kind: 'w3c', status: 200, stem: '/' }, evidence: 'V', why: 'W32-PARSER: accepted by default since Windows Server 2003 SP1' },
  { id: 'header-no-colon', what: 'a header line without a colon', bytes: get('/', H + 'NoColonHere\r\n'), expect: refused('invalid-header', 'Header', ['HTTP/1.1', 'GET', '/']), evidence: 'I', why: 'reason Header KB-HTTPERR' },
  { id: 'header-bad-name', what: 'a space inside a header name', bytes: get('/', H + 'Bad Name: x\r\n'), expect: refused('invalid-header', 'Header', ['HTTP/1.1', 'GET', '/']), evidence: 'C', why: 'separators in a name refused unless AllowWeakHeaderNameSyntax (W32-PARSEEXC); "The request has an invalid header name." captured' },
  { id: 'header-name-separator', what: 'a ? inside a header name', bytes: get('/', H + 'X?A: 1\r\n'), expect: refused('invalid-header', 'Header', ['HTTP/1.1', 'GET', '/']), evidence: 'C', why: 'W32-PARSEEXC names `?` as refused unless AllowWeakHeaderNameSyntax; Invalid Header answer captured' },
  { id: 'header-name-separator-allowed', what: 'a ? inside a header name, with AllowWeakHeaderNameSyntax set', bytes: get('/', H + close + 'X?A: 1\r\n'), settings: { allowWeakHeaderNameSyntax: true }, expect: { kind: 'w3c', status: 200, stem: '/' }, evidence: 'I', why: 'W32-PARSEEXC: the registry exception lets the parser take it' },
  { id: 'header-space-before-colon', what: 'whitespace between name and colon', bytes: get('/', H + 'X-A : x\r\n'), expect: refused('invalid-header', 'Header', ['HTTP/1.1', 'GET', '/']), evidence: 'C', why: 'the space makes the name invalid (W32-PARSEEXC, as header-bad-name); Invalid Header answer captured' },
  { id: 'header-nul', what: 'a NUL byte in a header value', bytes: get('/', H + 'X-A: a\x00b\r\n'), expect: refused('invalid-header', 'Header', ['HTTP/1.1', 'GET', '/']), evidence: 'I', why: 'control characters in values refused unless AllowWeakHeaderValueSyntax (W32-PARSEEXC); answer and reason [I]' },
  { id: 'header-value-control', what: 'a raw control character (0x01) in a header value', bytes: get('/', H + 'X-A: a\x01b\r\n'), expect: refused('invalid-header', 'Header', ['HTTP/1.1', 'GET', '/']), evidence: 'I', why: 'refused unless AllowWeakHeaderValueSyntax (W32-PARSEEXC); answer and reason [I]' },
  { id: 'header-value-control-allowed', what: 'a raw control character in a header value, with AllowWeakHeaderValueSyntax set', bytes: get('/', H + close + 'X-A: a\x01b\r\n'), settings: { allowWeakHeaderValueSyntax: true }, expect: { kind: 'w3c', status: 200, stem: '/' }, evidence: 'I', why: 'W32-PARSEEXC: the registry exception lets the parser take it' },
  { id: 'obs-fold', what: 'a header continued on the next line (obs-fold)', bytes: get('/', H + 'X-A: a\r\n b\r\n'), expect: refused('invalid-header', 'Header', ['HTTP/1.1', 'GET', '/']), evidence: 'U', why: 'RFC 9112 section 5.2 lets a server refuse it; switch httpSys.obsFold: accept' },
  { id: 'content-length-bad', what: 'Content-Length: abc', bytes: 'POST / HTTP/1.1\r\n' + H + 'Content-Length: abc\r\n\r\n', expect: refused('bad-request', 'Number', ['HTTP/1.1', 'POST', '/']), evidence: 'I', why: 'reason Number: "parse error processing a number" KB-HTTPERR' },
  { id: 'content-length-negative', what: 'Content-Length: -1', bytes: 'POST / HTTP/1.1\r\n' + H + 'Content-Length: -1\r\n\r\n', expect: refused('bad-request', 'Number', ['HTTP/1.1', 'POST', '/']), evidence: 'I', why: 'as above' },
  { id: 'content-length-conflict', what: 'two different Content-Length values', bytes: 'POST / HTTP/1.1\r\n' + H + 'Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello', expect: refused('bad-request', 'BadRequest', ['HTTP/1.1', 'POST', '/']), evidence: 'U', why: 'RFC 9112 section 6.3: unrecoverable framing error' },
  { id: 'content-length-repeated', what: 'the same Content-Length twice', bytes: 'POST /form HTTP/1.1\r\n' + H + close + 'Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello', expect: { kind: 'w3c', status: 200, stem: '/form' }, evidence: 'I', why: 'RFC 9110 section 8.6: one length; the pipeline (and ARR) sees it once' },
  { id: 'te-and-cl', what: 'Transfer-Encoding and Content-Length together', bytes: 'POST / HTTP/1.1\r\n' + H + 'Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n', expect: refused('bad-request', 'BadRequest', ['HTTP/1.1', 'POST', '/']), evidence: 'U', why: 'RFC 9112 section 6.1 lets a server refuse the pair (request smuggling)' },
  { id: 'te-unknown', what: 'Transfer-Encoding: gzip', bytes: 'POST / HTTP/1.1\r\n' + H + 'Transfer-Encoding: gzip\r\n\r\n', expect: refused('transfer-coding-not-implemented', 'N/I', ['HTTP/1.1', 'POST', '/']), evidence: 'C', why: 'KB-HTTPERR N/I "unknown transfer encoding"; body text quoted from a Windows server' },
  { id: 'post-without-length', what: 'POST with neither Content-Length nor Transfer-Encoding', bytes: 'POST /form HTTP/1.1\r\n' + H + '\r\n', expect: refused('length-required', 'LengthRequired', ['HTTP/1.1', 'POST', '/form']), evidence: 'C', why: '411 answer captured; `411 - LengthRequired -` in a public log' },
  { id: 'chunk-size-bad', what: 'a chunk size that is not hex', bytes: 'POST /upload HTTP/1.1\r\n' + H + 'Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n', expect: { kind: 'httperr', answer: 'bad-request', reason: 'BadRequest', fields: ['HTTP/1.1', 'POST', '/upload'], routed: true }, evidence: 'U', why: 'the body is parsed after the request reached the worker: the pipeline has it, http.sys ends it' },
  { id: 'body-cut-by-fin', what: 'a client that shuts its side before the body it announced is complete', bytes: 'POST /read/upload HTTP/1.1\r\n' + H + 'Content-Length: 25\r\n\r\nabc', shut: true, expect: { kind: 'httperr', answer: 'bad-request', reason: 'BadRequest', fields: ['HTTP/1.1', 'POST', '/read/upload'], routed: true }, evidence: 'C', why: 'CAP-FIN: a page reading the body; http.sys answers 400 "badly formed" and IIS logs no W3SVC line; the HTTPERR reason [I]' },
  { id: 'absolute-form', what: 'an absolute-form target (proxy style)', bytes: get('http://member/abs', H + close), expect: { kind: 'w3c', status: 200, stem: '/abs' }, evidence: 'I', why: 'RFC 9112 section 3.2.2: servers must accept it' },
  { id: 'options-star', what: 'OPTIONS * (asterisk form)', bytes: 'OPTIONS * HTTP/1.1\r\n' + H + close + '\r\n', expect: { kind: 'w3c', status: 200, stem: '*', headers: ['Allow: OPTIONS, TRACE, GET, HEAD, POST', 'Public: OPTIONS, TRACE, GET, HEAD, POST', 'Content-Length: 0'] }, evidence: 'I', why: 'IIS answers OPTIONS itself with these headers (CAP-OPTIONS, for `OPTIONS /`); that `*` gets the same answer [I]' },
  { id: 'leading-empty-line', what: 'an empty line before the request line', bytes: '\r\n' + get('/', H + close), expect: { kind: 'w3c', status: 200, stem: '/' }, evidence: 'I', why: 'RFC 9112 section 2.2: servers should ignore it' },
  { id: 'expect-unknown', what: 'an expectation other than 100-continue', bytes: 'POST /form HTTP/1.1\r\n' + H + close + 'Expect: x-fast\r\nContent-Length: 5\r\n\r\nhello', expect: { kind: 'w3c', status: 200, stem: '/form' }, evidence: 'U', why: 'ignored: no source shows what http.sys does (RFC 9110 allows 417); switch httpSys.unknownExpectation: refuse' },
  { id: 'expect-unknown-refused', what: 'an expectation other than 100-continue, on a host set to refuse it', bytes: 'POST /form HTTP/1.1\r\n' + H + 'Expect: x-fast\r\nContent-Length: 5\r\n\r\nhello', settings: { unknownExpectation: 'refuse' }, expect: refused('expectation-failed', 'BadRequest', ['HTTP/1.1', 'POST', '/form']), evidence: 'U', why: 'the lab switch httpSys.unknownExpectation: refuse; answer texts and reason the lab\'s' },
  { id: 'expect-continue', what: 'Expect: 100-continue with a body', bytes: 'POST /form HTTP/1.1\r\n' + H + close + 'Expect: 100-continue\r\nContent-Length: 5\r\n\r\nhello', expect: { kind: 'w3c', status: 200, stem: '/form', interim: 'HTTP/1.1 100 Continue\r\n\r\n' }, evidence: 'C', why: 'CAP-FIN: IIS answered `HTTP/1.1 100 Continue`, sent by http.sys itself (BLOG-100C); the lab sends it as soon as the head is parsed [I]' },
];
