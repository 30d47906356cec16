import { Socket } from 'node:net';

/**
 * undici writes the request head itself: `host` and `connection` lower-case and first, and no
 * `Content-Length` on a bodyless GET (RFC 9110). WinHTTP writes `Host`, `Connection: Keep-Alive`
 * and `Content-Length: 0` on a bodyless GET (docs/reference.md §7.5, the member's headers in DOC-502).
 * This rewrites each request head undici writes on a member connection into WinHTTP's spelling;
 * bodies pass untouched.
 */
const REQUEST_LINE = /^[A-Z]+ \S+ HTTP\/1\.[01]\r\n/;
/** The lines undici writes itself, lower-case; every header the lab hands it is already spelled as IIS holds it. */
const UNDICI_NAMES = ['host', 'connection', 'content-length', 'transfer-encoding'] as const;
const NAMES: Record<(typeof UNDICI_NAMES)[number], string> = {
  host: 'Host', connection: 'Connection', 'content-length': 'Content-Length', 'transfer-encoding': 'Transfer-Encoding',
};
const FRAMED = /\r\n(?:content-length|transfer-encoding):/i;

export function winHttpHead(head: string): string {
  const end = head.indexOf('\r\n\r\n');
  // The head up to and including its last header's CRLF.
  const top = end < 0 ? head : head.slice(0, end + 2);
  const lines = respell(top);
  // A head without its blank line is followed by a streamed body: undici says how long it is.
  if (end < 0) return lines;
  return `${lines}${FRAMED.test(top) ? '' : 'Content-Length: 0\r\n'}\r\n${head.slice(end + 4)}`;
}

/**
 * Each line undici wrote itself (`name:` in lower case right after a CRLF, the value running to
 * the next CRLF) in WinHTTP's spelling, white space around its value dropped; the other lines as
 * they are. One pass over the head, copying the runs between the lines it changes.
 */
function respell(top: string): string {
  let out = '';
  let copied = 0;
  for (let p = top.indexOf('\r\n'); p >= 0; ) {
    const name = undiciName(top, p + 2);
    const colon = p + 2 + (name?.length ?? 0);
    const cr = name === undefined ? -1 : top.indexOf('\r', colon + 1);
    if (name === undefined || cr < 0 || top.charCodeAt(cr + 1) !== 0x0a) {
      p = top.indexOf('\r\n', p + 1);
      continue;
    }
    let from = colon + 1;
    let to = cr;
    while (from < to && isSpaceOrTab(top.charCodeAt(from))) from++;
    while (to > from && isSpaceOrTab(top.charCodeAt(to - 1))) to--;
    const value = top.slice(from, to);
    out += `${top.slice(copied, p)}\r\n${name === 'connection' && value === 'keep-alive' ? 'Connection: Keep-Alive' : `${NAMES[name]}: ${value}`}`;
    copied = cr;
    p = cr;
  }
  return copied === 0 ? top : out + top.slice(copied);
}

/** The undici-written header name followed by a colon at `at`, if one is. */
function undiciName(text: string, at: number): (typeof UNDICI_NAMES)[number] | undefined {
  for (const name of UNDICI_NAMES) if (text.startsWith(name, at) && text.charCodeAt(at + name.length) === 0x3a) return name;
  return undefined;
}

function isSpaceOrTab(c: number): boolean {
  return c === 0x20 || c === 0x09;
}

const socketWrite = Socket.prototype.write as (this: Socket, ...args: unknown[]) => boolean;

/** A socket's write, with request heads in WinHTTP's spelling (one function for every member connection). */
function writeLikeWinHttp(this: Socket, chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
  // write(chunk, encoding, callback) reads a missing argument as undefined: no rest array to pass on.
  return socketWrite.call(this, typeof chunk === 'string' && REQUEST_LINE.test(chunk) ? winHttpHead(chunk) : chunk, encoding, callback);
}

/** Makes a member connection write request heads as WinHTTP does. */
export function sendLikeWinHttp(socket: Socket): void {
  socket.write = writeLikeWinHttp as Socket['write'];
}
