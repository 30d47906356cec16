import type { Socket } from 'node:net';

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

export function winHttpHead(head: string): string {
  const end = head.indexOf('\r\n\r\n');
  const lines = (end < 0 ? head.slice(0, -2) : head.slice(0, end)).split('\r\n');
  let hasLength = false;
  const out = lines.map((line, i) => {
    if (i === 0) return line;
    const colon = line.indexOf(':');
    const name = line.slice(0, colon);
    const lower = name.toLowerCase();
    if (lower === 'content-length' || lower === 'transfer-encoding') hasLength = true;
    const value = line.slice(colon + 1).trim();
    if (lower === 'connection' && value === 'keep-alive') return 'Connection: Keep-Alive';
    return `${NAMES[lower] ?? name}: ${value}`;
  });
  // A head without its blank line is followed by a streamed body: undici says how long it is.
  if (end < 0) return `${out.join('\r\n')}\r\n`;
  if (!hasLength) out.push('Content-Length: 0');
  return `${out.join('\r\n')}\r\n\r\n${head.slice(end + 4)}`;
}

/** Makes a member connection write request heads as WinHTTP does. */
export function sendLikeWinHttp(socket: Socket): void {
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  socket.write = ((chunk: unknown, ...rest: unknown[]) =>
    write(typeof chunk === 'string' && REQUEST_LINE.test(chunk) ? winHttpHead(chunk) : chunk, ...rest)) as Socket['write'];
}
