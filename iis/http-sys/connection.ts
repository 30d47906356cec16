import type { Socket } from 'node:net';
import { answerBytes } from './answers.ts';
import { ChunkedDecoder, LengthDecoder, type BodyDecoder } from './body-decoder.ts';
import { httpDate } from './http-date.ts';
import { IncomingRequest } from './incoming-request.ts';
import { parseHead, type RequestHead, type Rejection } from './request-parser.ts';
import { ResponseWriter, type ResponseOwner } from './response-writer.ts';
import type { HttpSysSettings } from './settings.ts';

/** One request on a connection: what the pipeline gets. */
export interface Exchange {
  req: IncomingRequest;
  res: ResponseWriter;
  socket: Socket;
}

/** What a connection needs from its host. */
export interface ConnectionHost {
  settings(): HttpSysSettings;
  /** Nominal now, for the Date header and http.sys's own answers. */
  now(): number;
  /** A request's head has arrived whole: the pipeline takes it. */
  request(exchange: Exchange): void;
  /** http.sys refused a request before the pipeline saw it; it has answered and closes the connection. */
  rejected(socket: Socket, rejection: Rejection): void;
  /** The client's entity body broke the syntax after its request entered the pipeline. */
  badBody(exchange: Exchange): void;
  /** The connection has closed, with the request in progress on it if any (told before that request's streams). */
  closed(socket: Socket, current: Exchange | undefined): void;
}

const EMPTY = Buffer.alloc(0);
/** The body of every bodyless request: done from the start, so it never changes. */
const NO_BODY = new LengthDecoder(0);
const CONNECTION = Symbol('http.sys connection');
type Owned = Socket & { [CONNECTION]: HttpConnection };

function onData(this: Socket, data: Buffer): void {
  (this as Owned)[CONNECTION].received(data);
}

function onEnd(this: Socket): void {
  (this as Owned)[CONNECTION].ended();
}

function onDrain(this: Socket): void {
  (this as Owned)[CONNECTION].drained();
}

function onClose(this: Socket): void {
  (this as Owned)[CONNECTION].gone();
}

function ignore(): void {}

/** The http.sys connection serving `socket`, if one does. */
export function connectionOf(socket: Socket): HttpConnection | undefined {
  return (socket as Partial<Owned>)[CONNECTION];
}

function pumpLater(connection: HttpConnection): void {
  connection.pump();
}

/**
 * http.sys on one TCP connection: parses requests one after another (pipelined requests wait
 * until the response before them is complete), hands each to the pipeline with its body, drains
 * a body the page did not read before the next request, and answers what it refuses itself.
 */
export class HttpConnection implements ResponseOwner {
  private buf: Buffer = EMPTY;
  private current: Exchange | undefined;
  private decoder: BodyDecoder | undefined;
  private closed = false;
  /** The host stopped listening: no request is taken on this connection after the current one. */
  private retired = false;
  /** Inside pump(): a response completed meanwhile needs no later pump. */
  private pumping = false;

  constructor(
    private readonly socket: Socket,
    private readonly host: ConnectionHost,
  ) {
    socket.setNoDelay(true);
    // One connection object per socket, found by the socket's listeners (shared functions, so a
    // held connection does not keep a closure per event).
    (socket as Owned)[CONNECTION] = this;
    socket.on('data', onData);
    socket.on('end', onEnd);
    socket.on('error', ignore);
    socket.on('drain', onDrain);
    socket.on('close', onClose);
  }

  received(data: Buffer): void {
    if (this.closed) return;
    this.buf = this.buf.length === 0 ? data : Buffer.concat([this.buf, data]);
    this.pump();
  }

  /**
   * The client shut its side. Before the body it announced was complete and before any response,
   * http.sys answers 400 (docs/reference.md §6.6); a request already answering has lost its client;
   * an idle connection is closed in turn.
   */
  ended(): void {
    const c = this.current;
    if (c && !this.decoder!.done && !c.res.headersSent) {
      this.closed = true;
      c.req.abort('aborted');
      this.host.badBody(c);
    } else if (c && !c.res.writableFinished) this.socket.destroy();
    else this.socket.end();
  }

  /** A write that filled the socket's buffer has gone out: the response in progress may write on. */
  drained(): void {
    const res = this.current?.res;
    if (res && !res.writableFinished) res.emit('drain');
  }

  gone(): void {
    const c = this.current;
    this.host.closed(this.socket, c);
    this.closed = true;
    if (!c) return;
    if (!this.decoder!.done) c.req.abort('aborted');
    c.res.connectionClosed();
  }

  /**
   * The host went offline: an idle connection is closed now, one with a request in progress once
   * that response is complete, so the proxy's next request needs a new connection, which the
   * offline host refuses or leaves unanswered.
   */
  retire(): void {
    this.retired = true;
    if (!this.current) this.close();
  }

  date(): string {
    return httpDate(this.host.now());
  }

  /** The response in progress is complete: on to the next request once its body is read. */
  finished(): void {
    // What the page left unread is read and dropped before the next request (DrainEntityBody).
    if (!this.decoder!.done) this.current!.req.resume();
    else this.socket.resume();
    // A page that answered while the connection handed it the request: the pump goes on by itself.
    if (!this.pumping) setImmediate(pumpLater, this);
  }

  pump(): void {
    this.pumping = true;
    try {
      this.pumpRequests();
    } finally {
      this.pumping = false;
    }
  }

  private pumpRequests(): void {
    while (!this.closed && !this.socket.destroyed) {
      const c = this.current;
      if (c) {
        const { res } = c;
        if (res.writableFinished && (res.closeAfter || this.retired)) {
          this.close();
          return;
        }
        if (!this.feedBody(c, this.decoder!)) return;
        if (!res.writableFinished) {
          // A client pipelining more than a request's worth while it waits is held back by TCP.
          if (this.buf.length > this.host.settings().maxRequestBytes) this.socket.pause();
          return;
        }
        this.current = undefined;
        this.decoder = undefined;
        continue;
      }
      let start = 0;
      // RFC 9112 §2.2: empty lines before a request line are ignored [I for http.sys].
      while (start + 1 < this.buf.length && this.buf[start] === 0x0d && this.buf[start + 1] === 0x0a) start += 2;
      if (start > 0) this.consume(start);
      if (this.buf.length === 0) return;
      const result = parseHead(this.buf, this.host.settings());
      if (result.kind === 'more') return;
      if (result.kind === 'reject') {
        this.refuse(result.rejection);
        return;
      }
      this.consume(result.size);
      this.start(result.head);
    }
  }

  private close(): void {
    this.closed = true;
    this.socket.end();
  }

  /**
   * Drops `n` parsed bytes. Nothing left: an empty buffer of its own, not an empty view that would
   * keep the whole chunk the socket read alive for as long as the connection waits.
   */
  private consume(n: number): void {
    this.buf = n >= this.buf.length ? EMPTY : this.buf.subarray(n);
  }

  /** Feeds buffered bytes to the current body; false while the body still waits for bytes. */
  private feedBody(exchange: Exchange, decoder: BodyDecoder): boolean {
    if (decoder.done) return true;
    if (this.buf.length > 0) {
      const used = decoder.feed(this.buf, (chunk) => {
        if (!exchange.req.deliver(chunk)) this.socket.pause();
      });
      this.consume(used);
    }
    if (decoder.error !== undefined) {
      this.closed = true;
      exchange.req.abort(decoder.error);
      this.host.badBody(exchange);
      return false;
    }
    if (decoder.done) exchange.req.complete();
    return decoder.done;
  }

  private start(head: RequestHead): void {
    const socket = this.socket;
    const req = new IncomingRequest(head, socket);
    const res = new ResponseWriter(socket, head, this);
    const decoder: BodyDecoder = head.body.kind === 'chunked' ? new ChunkedDecoder() : head.body.kind === 'length' ? new LengthDecoder(head.body.length) : NO_BODY;
    const exchange: Exchange = { req, res, socket };
    this.current = exchange;
    this.decoder = decoder;
    if (head.expectContinue && head.body.kind !== 'none') socket.write('HTTP/1.1 100 Continue\r\n\r\n');
    if (decoder.done) req.complete();
    this.host.request(exchange);
  }

  private refuse(rejection: Rejection): void {
    this.closed = true;
    this.buf = EMPTY;
    this.socket.end(answerBytes(rejection.answer, new Date(this.host.now())));
    this.host.rejected(this.socket, rejection);
  }
}
