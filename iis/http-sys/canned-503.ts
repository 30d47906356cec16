/**
 * The 503 http.sys answers by itself (QueueFull, ConnLimit...), byte for byte as captured
 * (reference §6.6): 326-byte body with CRLF line ends, no space between the two DOCTYPE strings,
 * `Server: Microsoft-HTTPAPI/2.0`, `Connection: close`.
 */
const BODY =
  '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN""http://www.w3.org/TR/html4/strict.dtd">\r\n' +
  '<HTML><HEAD><TITLE>Service Unavailable</TITLE>\r\n' +
  '<META HTTP-EQUIV="Content-Type" Content="text/html; charset=us-ascii"></HEAD>\r\n' +
  '<BODY><h2>Service Unavailable</h2>\r\n' +
  '<hr><p>HTTP Error 503. The service is unavailable.</p>\r\n' +
  '</BODY></HTML>\r\n';

export function canned503(date: Date): Buffer {
  const head =
    'HTTP/1.1 503 Service Unavailable\r\n' +
    'Content-Type: text/html; charset=us-ascii\r\n' +
    'Server: Microsoft-HTTPAPI/2.0\r\n' +
    `Date: ${date.toUTCString()}\r\n` +
    'Connection: close\r\n' +
    `Content-Length: ${Buffer.byteLength(BODY)}\r\n` +
    '\r\n';
  return Buffer.from(head + BODY, 'latin1');
}
