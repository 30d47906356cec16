import { Socket } from 'node:net';

/**
 * undici writes the request head itself: `host` and `connection` lower-case and first, and no
 * `Content-Length` on a bodyless GET (RFC 9110). WinHTTP writes `Host`, `Connection: Keep-Alive`
 * and `Content-Length: 0` on a bodyless GET (docs/reference.md §7.5, the member's headers in DOC-502).
 * This rewrites each request head undici writes on a member connection into WinHTTP's spelling;
 * bodies pass untouched.
 */
const REQUEST_LINE = /^[A-Z]+ \S+ HTTP\/1\.[01]\r\n/;
const NAMES: Record<string, string> = {
  host: 'Host', connection: 'Connection', 'content-length': 'Content-Length', 'transfer-encoding': 'Transfer-Encoding',
};
/** The lines undici writes itself, lower-case; every header the lab hands it is already spelled as IIS holds it. */
const UNDICI_LINE = /\r\n(host|connection|content-length|transfer-encoding):[ \t]*([^\r]*?)[ \t]*(?=\r\n)/g;
const FRAMED = /\r\n(?:content-length|transfer-encoding):/i;

export function winHttpHead(head: string): string {
  const end = head.indexOf('\r\n\r\n');
  // The head up to and including its last header's CRLF.
  const top = end < 0 ? head : head.slice(0, end + 2);
  const lines = top.replace(UNDICI_LINE, (_, name: string, value: string) =>
    name === 'connection' && value === 'keep-alive' ? '\r\nConnection: Keep-Alive' : `\r\n${NAMES[name]}: ${value}`);
  // A head without its blank line is followed by a streamed body: undici says how long it is.
  if (end < 0) return lines;
  return `${lines}${FRAMED.test(top) ? '' : 'Content-Length: 0\r\n'}\r\n${head.slice(end + 4)}`;
}

const socketWrite = Socket.prototype.write as (this: Socket, ...args: unknown[]) => boolean;

/** A socket's write, with request heads in WinHTTP's spelling (one function for every member connection). */
function writeLikeWinHttp(this: Socket, chunk: unknown, ...rest: unknown[]): boolean {
  return socketWrite.call(this, typeof chunk === 'string' && REQUEST_LINE.test(chunk) ? winHttpHead(chunk) : chunk, ...rest);
}

/** Makes a member connection write request heads as WinHTTP does. */
export function sendLikeWinHttp(socket: Socket): void {
  socket.write = writeLikeWinHttp as Socket['write'];
}
