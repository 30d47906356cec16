import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import type { HttpVersion, RequestHead } from './request-parser.ts';

/**
 * What the pipeline sees of a request: the parsed head and the entity body as a stream. The body
 * is fed by the connection; a page that stops reading it stops the connection reading (TCP flow
 * control then stalls the sender), as a page that never calls HttpReceiveRequestEntityBody does.
 */
export class IncomingRequest extends Readable {
  readonly method: string;
  readonly url: string;
  readonly httpVersion: HttpVersion;
  readonly headers: Readonly<Record<string, string | string[]>>;
  readonly rawHeaders: readonly string[];
  private received = false;
  /** The reader let body bytes pile up at some point (it stopped reading, or could not pass them on). */
  private heldBack = false;

  constructor(
    head: RequestHead,
    readonly socket: Socket,
  ) {
    super({ highWaterMark: 64 * 1024 });
    this.method = head.method;
    this.url = head.url;
    this.httpVersion = head.httpVersion;
    this.headers = head.headers;
    this.rawHeaders = head.rawHeaders;
  }

  override _read(): void {
    this.socket.resume();
  }

  /** Body bytes arrived; false when the page has enough unread. */
  deliver(chunk: Buffer): boolean {
    const more = this.push(chunk);
    if (!more) this.heldBack = true;
    return more;
  }

  complete(): void {
    this.received = true;
    this.push(null);
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
    return !this.received && !this.destroyed && !this.heldBack && this.readableLength === 0;
  }

  /** The body cannot complete (the client went away or sent a malformed body). */
  abort(message: string): void {
    if (this.readableEnded || this.destroyed) return;
    const error = Object.assign(new Error(message), { code: 'ECONNRESET' });
    this.destroy(this.listenerCount('error') > 0 ? error : undefined);
  }
}
