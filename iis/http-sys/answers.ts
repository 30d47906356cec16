import type { Evidence } from '../../core/evidence.ts';

/**
 * The answers http.sys writes by itself (docs/reference.md §6.6): one HTML template, CRLF line ends, no
 * space between the two DOCTYPE strings, `Server: Microsoft-HTTPAPI/2.0`, `Connection: close`.
 * The template is fixed by captures whose Content-Length matches it byte for byte (503: 326,
 * 400 Invalid Verb: 326, 400 badly formed: 311, 400 Invalid URL: 324, 411: 344); each answer says
 * where its texts come from (docs/reference.md §6.6 lists the sources).
 */
export interface Answer {
  status: number;
  /** The status line's reason phrase. */
  phrase: string;
  /** `<TITLE>` and `<h2>` of the body. */
  title: string;
  heading: string;
  /** The sentence after `HTTP Error <status>.` */
  text: string;
  evidence: Evidence;
  source: string;
}

const ANSWER_LIST = {
  'bad-request': { status: 400, phrase: 'Bad Request', title: 'Bad Request', heading: 'Bad Request', text: 'The request is badly formed.', evidence: 'C', source: 'CAP-FIN, CAP-FJORGE, Content-Length 311' },
  'invalid-hostname': { status: 400, phrase: 'Bad Request', title: 'Bad Request', heading: 'Bad Request - Invalid Hostname', text: 'The request hostname is invalid.', evidence: 'C', source: 'ASP.NET Core HostFiltering "matches Http.Sys"; techcommunity IIS support blog' },
  'invalid-url': { status: 400, phrase: 'Bad Request', title: 'Bad Request', heading: 'Bad Request - Invalid URL', text: 'The request URL is invalid.', evidence: 'C', source: 'public test fixture of a Windows service, Content-Length 324' },
  'invalid-verb': { status: 400, phrase: 'Bad Request', title: 'Bad Request', heading: 'Bad Request - Invalid Verb', text: 'The request verb is invalid.', evidence: 'C', source: 'CAP-VERB (nmap and nc captures of Windows hosts), Content-Length 326' },
  'invalid-header': { status: 400, phrase: 'Bad Request', title: 'Bad Request', heading: 'Bad Request - Invalid Header', text: 'The request has an invalid header name.', evidence: 'C', source: 'public client test fixture' },
  'request-too-long': { status: 400, phrase: 'Bad Request', title: 'Bad Request', heading: 'Bad Request - Request Too Long', text: 'The size of the request headers is too long.', evidence: 'C', source: 'KB-CLM; public captures with Server: Microsoft-HTTPAPI/2.0' },
  'field-too-long': { status: 400, phrase: 'Bad Request', title: 'Bad Request', heading: 'Bad Request - Header Field Too Long', text: 'A request header field is too long.', evidence: 'C', source: 'SupportArticles-docs (SharePoint Online), texts only' },
  'url-too-long': { status: 414, phrase: 'Request URL Too Long', title: 'Request URL Too Long', heading: 'Request URL Too Long', text: 'The request URL is too long.', evidence: 'C', source: 'public capture (line ends stripped)' },
  'length-required': { status: 411, phrase: 'Length Required', title: 'Length Required', heading: 'Length Required', text: 'The request must be chunked or have a content length.', evidence: 'C', source: 'public capture, Content-Length 344' },
  'transfer-coding-not-implemented': { status: 501, phrase: 'Not Implemented', title: 'Not Implemented', heading: 'Not Implemented', text: 'The request transfer encoding type is not supported.', evidence: 'C', source: 'text quoted from a Windows server in public code; title and heading [I]' },
  'version-not-supported': { status: 505, phrase: 'HTTP Version Not Supported', title: 'HTTP Version Not Supported', heading: 'HTTP Version Not Supported', text: 'The HTTP version is not supported.', evidence: 'U', source: 'status and reason KB-HTTPERR [V]; texts not found' },
  'expectation-failed': { status: 417, phrase: 'Expectation Failed', title: 'Expectation Failed', heading: 'Expectation Failed', text: 'The expectation given in the Expect header cannot be met.', evidence: 'U', source: 'none found: the lab switch httpSys.unknownExpectation; texts the lab\'s' },
  'service-unavailable': { status: 503, phrase: 'Service Unavailable', title: 'Service Unavailable', heading: 'Service Unavailable', text: 'The service is unavailable.', evidence: 'C', source: 'CAP-503, Content-Length 326' },
} as const satisfies Record<string, Answer>;

export type AnswerId = keyof typeof ANSWER_LIST;
export const ANSWERS: Readonly<Record<AnswerId, Answer>> = ANSWER_LIST;

export function answerBody(answer: Answer): string {
  return (
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN""http://www.w3.org/TR/html4/strict.dtd">\r\n' +
    `<HTML><HEAD><TITLE>${answer.title}</TITLE>\r\n` +
    '<META HTTP-EQUIV="Content-Type" Content="text/html; charset=us-ascii"></HEAD>\r\n' +
    `<BODY><h2>${answer.heading}</h2>\r\n` +
    `<hr><p>HTTP Error ${answer.status}. ${answer.text}</p>\r\n` +
    '</BODY></HTML>\r\n'
  );
}

/** The whole answer as http.sys writes it; the connection is closed after it. */
export function answerBytes(id: AnswerId, date: Date): Buffer {
  const answer = ANSWERS[id];
  const body = answerBody(answer);
  const head =
    `HTTP/1.1 ${answer.status} ${answer.phrase}\r\n` +
    'Content-Type: text/html; charset=us-ascii\r\n' +
    'Server: Microsoft-HTTPAPI/2.0\r\n' +
    `Date: ${date.toUTCString()}\r\n` +
    'Connection: close\r\n' +
    `Content-Length: ${body.length}\r\n` +
    '\r\n';
  return Buffer.from(head + body, 'latin1');
}
