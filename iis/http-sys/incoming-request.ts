import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import type { HttpVersion, RequestHead } from './request-parser.ts';

/**
 * A request's entity body as a stream, fed by the connection. A page that stops reading it stops
 * the connection reading (TCP flow control then stalls the sender), as a page that never calls
 * HttpReceiveRequestEntityBody does.
 */
export class RequestBody extends Readable {
  /** The reader let body bytes pile up at some point (it stopped reading, or could not pass them on). */
  heldBack = false;

  constructor(private readonly socket: Socket) {
    super({ highWaterMark: 64 * 1024 });
  }

  override _read(): void {
    this.socket.resume();
  }
}

/**
 * What the pipeline sees of a request: the parsed head, and the entity body as a stream when the
 * request announced one (Content-Length or chunked). A request without one has no stream: most
 * requests are bodyless GETs, and a stream that only ends costs its events and ticks.
 */
export class IncomingRequest {
  readonly method: string;
  readonly url: string;
  readonly httpVersion: HttpVersion;
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly rawHeaders: readonly string[];
  /** The entity body; undefined when the request announced none. */
  readonly body: RequestBody | undefined;
  private received: boolean;

  constructor(
    head: RequestHead,
    readonly socket: Socket,
  ) {
    this.method = head.method;
    this.url = head.url;
    this.httpVersion = head.httpVersion;
    this.headers = head.headers;
    this.rawHeaders = head.rawHeaders;
    this.received = head.body.kind === 'none';
    this.body = this.received ? undefined : new RequestBody(socket);
  }

  /** The page reads and discards the body (nothing to do without one). */
  resume(): void {
    this.body?.resume();
  }

  /** Body bytes arrived; false when the page has enough unread. */
  deliver(chunk: Buffer): boolean {
    const body = this.body!;
    const more = body.push(chunk);
    if (!more) body.heldBack = true;
    return more;
  }

  complete(): void {
    if (this.received) return;
    this.received = true;
    this.body?.push(null);
  }

  /** The whole body has arrived (whether or not the page read it). */
  get bodyReceived(): boolean {
    return this.received;
  }

  /**
   * The body is waiting on the client: not all of it has arrived, nothing is left unread, and the
   * reader never held it back (a reader that stopped, a member that stopped reading, makes the wait
   * the reader's).
   */
  get awaitingClient(): boolean {
    const body = this.body;
    return !this.received && body !== undefined && !body.destroyed && !body.heldBack && body.readableLength === 0;
  }

  /** The body cannot complete (the client went away or sent a malformed body). */
  abort(message: string): void {
    const body = this.body;
    if (!body || body.readableEnded || body.destroyed) return;
    const error = Object.assign(new Error(message), { code: 'ECONNRESET' });
    body.destroy(body.listenerCount('error') > 0 ? error : undefined);
  }
}
