import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import type { RequestHead } from './request-parser.ts';

type HeaderValue = string | number | readonly string[];

/** Bodies up to this size go out in one buffer with the head; larger ones are not copied. */
const ONE_WRITE_BODY = 64 * 1024;
const EMPTY = Buffer.alloc(0);

interface Header {
  lower: string;
  name: string;
  value: string | string[];
}

const NO_HEADERS: readonly Header[] = [];

/** Lower-case forms of the names set on most responses, made once rather than per header set. */
const LOWER_NAMES = new Map(
  ['Server', 'Content-Type', 'Content-Length', 'X-Powered-By', 'Date', 'Connection', 'Cache-Control', 'Set-Cookie', 'Location', 'Transfer-Encoding']
    .map((name) => [name, name.toLowerCase()]),
);

function lower(name: string): string {
  return LOWER_NAMES.get(name) ?? name.toLowerCase();
}

/** The connection a response is written on. */
export interface ResponseOwner {
  /** The Date header's value, now. */
  date(): string;
  /** Every byte of the response is handed to the connection (told before `finish` is emitted). */
  finished(): void;
}

/**
 * A response the pipeline writes through http.sys (HttpSendHttpResponse): status, headers, then
 * the body, framed by Content-Length when the page set one, else chunked (HTTP/1.1) or ended by
 * closing the connection (HTTP/1.0). Emits `finish` once every byte is handed to the connection,
 * `close` when the connection ends, `drain` when a write that filled the socket buffer has gone.
 */
export class ResponseWriter extends EventEmitter {
  statusCode = 200;
  statusMessage: string | undefined;
  headersSent = false;
  writableEnded = false;
  writableFinished = false;
  /** The connection under it has closed. */
  closed = false;
  /**
   * In the order first set. A list replaced on each change rather than a Map: a held response keeps
   * its one or two headers without a hash table's room for more.
   */
  private headers: readonly Header[] = NO_HEADERS;
  private chunked = false;
  private noBody = false;
  /** The connection must close after this response (framing or the client asked). */
  closeAfter: boolean;
  /** A response to HEAD: headers only. */
  private readonly headOnly: boolean;
  private readonly http09: boolean;
  private readonly http10: boolean;

  constructor(
    private readonly socket: Socket,
    request: Pick<RequestHead, 'method' | 'httpVersion' | 'keepAlive'>,
    private readonly owner: ResponseOwner,
  ) {
    super();
    // EventEmitter makes its table of listeners (a dictionary, ~180 bytes) at once, or on the first
    // listener when there is none yet: a held response has no listener, so it waits for one.
    (this as { _events?: unknown })._events = undefined;
    this.headOnly = request.method === 'HEAD';
    this.http09 = request.httpVersion === '0.9';
    this.http10 = request.httpVersion === '1.0';
    this.closeAfter = !request.keepAlive;
  }

  /** `lowered`: the name in lower case, when the caller has it already. */
  setHeader(name: string, value: HeaderValue, lowered = lower(name)): this {
    const entry: Header = { lower: lowered, name, value: Array.isArray(value) ? [...value] : String(value) };
    const at = this.headers.findIndex((h) => h.lower === lowered);
    // concat makes an array of the exact length (a spread leaves room for a dozen more).
    this.headers = at < 0 ? this.headers.concat([entry]) : this.headers.map((h, i) => (i === at ? entry : h));
    return this;
  }

  appendHeader(name: string, value: HeaderValue): this {
    const prior = this.header(lower(name));
    const add = Array.isArray(value) ? [...value] : [String(value)];
    if (!prior) return this.setHeader(name, add.length === 1 ? add[0]! : add);
    prior.value = [...(Array.isArray(prior.value) ? prior.value : [prior.value]), ...add];
    return this;
  }

  getHeader(name: string): string | string[] | undefined {
    return this.header(lower(name))?.value;
  }

  /** Header names as the page set them (spelling kept), in order. */
  getRawHeaderNames(): string[] {
    return this.headers.map((h) => h.name);
  }

  removeHeader(name: string): void {
    const lowered = lower(name);
    this.headers = this.headers.filter((h) => h.lower !== lowered);
  }

  flushHeaders(): void {
    if (!this.headersSent && this.socket.writable) this.socket.write(this.head());
  }

  write(chunk: Buffer | string, callback?: () => void): boolean {
    if (this.writableEnded || !this.socket.writable) {
      callback?.();
      return true;
    }
    const head = this.headersSent ? '' : this.head();
    const data = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (this.noBody || data.length === 0) return head ? this.socket.write(head, () => callback?.()) : (callback?.(), true);
    if (!this.chunked) {
      if (head) this.socket.write(head);
      return this.socket.write(data, () => callback?.());
    }
    this.socket.write(`${head}${data.length.toString(16)}\r\n`);
    this.socket.write(data);
    return this.socket.write('\r\n', () => callback?.());
  }

  end(chunk?: Buffer | string, callback?: () => void): this {
    if (this.writableEnded) return this;
    if (!this.socket.writable) {
      this.writableEnded = true;
      callback?.();
      return this;
    }
    if (!this.headersSent && chunk !== undefined && !this.header('content-length')) {
      this.setHeader('Content-Length', typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length);
    }
    const head = this.headersSent ? '' : this.head();
    this.writableEnded = true;
    const data = chunk === undefined || chunk.length === 0 || this.noBody ? undefined : typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    const before = this.chunked && data ? `${head}${data.length.toString(16)}\r\n` : head;
    const after = this.chunked ? `${data ? '\r\n' : ''}0\r\n\r\n` : '';
    if (data && data.length > ONE_WRITE_BODY) {
      this.socket.cork();
      if (before) this.socket.write(before);
      this.socket.write(data);
      this.socket.write(after, () => this.finished(callback));
      this.socket.uncork();
      return this;
    }
    // One buffer, one system call: what a small response costs is mostly its socket writes.
    const out = Buffer.allocUnsafe(Buffer.byteLength(before) + (data?.length ?? 0) + after.length);
    let at = out.write(before);
    if (data) at += data.copy(out, at);
    if (after) out.write(after, at, 'latin1');
    this.socket.write(out);
    // Mostly the kernel took it all at once: finished now, without a write callback's tick. Else an
    // empty write's callback runs once what is queued before it has gone out.
    if (this.socket.writableLength === 0) this.finished(callback);
    else this.socket.write(EMPTY, () => this.finished(callback));
    return this;
  }

  /** Every byte is handed to the connection. */
  private finished(callback: (() => void) | undefined): void {
    this.writableFinished = true;
    callback?.();
    this.owner.finished();
    this.emit('finish');
  }

  /** The connection has closed: nothing more can be sent. */
  connectionClosed(): void {
    this.closed = true;
    this.emit('close');
  }

  /** Cuts the connection: the response cannot be completed. */
  destroy(): void {
    this.socket.destroy();
  }

  private header(lower: string): Header | undefined {
    return this.headers.find((h) => h.lower === lower);
  }

  private head(): string {
    this.headersSent = true;
    // HTTP/0.9 has no status line or headers: the body alone, ended by closing (docs/reference.md §6.6).
    if (this.http09) {
      this.closeAfter = true;
      return '';
    }
    const status = this.statusCode;
    this.noBody = this.headOnly || status === 204 || status === 304 || (status >= 100 && status < 200);
    const hasLength = this.header('content-length') !== undefined;
    if (!this.noBody && !hasLength) {
      if (this.http10) this.closeAfter = true;
      else this.chunked = true;
    }
    if (this.header('connection')?.value.toString().toLowerCase() === 'close') this.closeAfter = true;
    let out = `HTTP/1.1 ${status} ${this.statusMessage ?? STATUS_CODES[status] ?? 'Unknown'}\r\n`;
    for (const { name, value } of this.headers) {
      if (Array.isArray(value)) for (const v of value) out += `${name}: ${v}\r\n`;
      else out += `${name}: ${value}\r\n`;
    }
    if (!this.header('date')) out += `Date: ${this.owner.date()}\r\n`;
    if (this.chunked) out += 'Transfer-Encoding: chunked\r\n';
    if (this.closeAfter && !this.header('connection')) out += 'Connection: close\r\n';
    else if (!this.closeAfter && this.http10) out += 'Connection: keep-alive\r\n';
    return `${out}\r\n`;
  }
}
