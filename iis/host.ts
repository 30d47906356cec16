import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { LabClock, Timeline } from '../core/clock.ts';
import { createHash } from 'node:crypto';
import type { AddressBook } from '../core/address-book.ts';
import type { TimeTakenModel } from './log-records.ts';
import { HttpSysFront } from './http-sys/front.ts';
import type { EntityBodyWatch } from './http-sys/entity-body-watch.ts';
import { HTTP_SYS_DEFAULTS, type HttpSysSettings } from './http-sys/settings.ts';
import { NON_PAGED_POOL_DEFAULTS, type NonPagedPool, type NonPagedPoolSettings } from './http-sys/nonpaged-pool.ts';
import { DEFAULT_WINDOWS, WINDOWS_VERSIONS, type WindowsVersion } from './windows-versions.ts';
import type { IdSource } from '../core/ids.ts';
import { HostRequest, LAB_REQUEST_HEADER, header } from './host-request.ts';
import { connectionOf, HttpConnection, type Exchange } from './http-sys/connection.ts';
import type { Rejection } from './http-sys/request-parser.ts';
import { DEFAULT_FREB_RULE, FrebLog, frebDir, type FrebRule } from './freb/freb-log.ts';
import { armTimeTakenRule, writeRequestTrace, type TracingHost } from './freb/request-trace.ts';
import { HOST_WIN32 } from './win32-status.ts';
import type { ErrorMode } from './detailed-error-page.ts';
import { ANSWERS } from './http-sys/answers.ts';
import { HostLogs } from './host-logs.ts';
import { holdPort } from './port-hold.ts';
import type { HttperrEntry, RecordMeta, W3cEntry } from './log-records.ts';
import { logQuery, logStem, type HttperrVariant } from './w3c-format.ts';

/** Bytes of a stalled upload a deterministic run reports received: a modelled amount, not the socket buffers'. */
const MODELLED_STALLED_UPLOAD_BYTES = 1024 * 1024;

export interface HostIdentity {
  /** Lab host name: the artifact folder and the computer name. */
  name: string;
  siteId: number;
  appPool: string;
  iisVersion: string;
  /** Windows build, shown in detailed error pages' More Information link. */
  osBuild: number;
  httperrVariant: HttperrVariant;
}

/** A host's identity on a claimed Windows Server version (default: Server 2019, IIS 10). */
export function identityFor(name: string, windows: WindowsVersion = DEFAULT_WINDOWS): HostIdentity {
  return { name, siteId: 1, appPool: 'DefaultAppPool', ...WINDOWS_VERSIONS[windows] };
}

/** A connection's addresses: client IP and port, server IP and port. */
export interface Peer {
  cIp: string;
  cPort: number;
  sIp: string;
  sPort: number;
}

/** What a host keeps of a connection: its addresses, and its byte counts when its last request was logged. */
interface ConnectionBook {
  peer: Peer;
  read: number;
  written: number;
}

/** The handler a host runs for each request: ARR on the controller, a behaviour script on a member. */
export interface RequestHandler {
  /**
   * Resolves when the handler is done with the request (what it resolves with is not read);
   * undefined when it is done already.
   */
  handle(request: HostRequest): Promise<unknown> | undefined;
}

export interface IisHostOptions {
  identity: HostIdentity;
  /** Folder that stands for the host's system drive (artifacts). */
  root: string;
  clock: LabClock;
  handler: RequestHandler;
  /** Loopback unless told otherwise. */
  bindAddress?: string;
  port?: number;
  ids: IdSource;
  /** Failed Request Tracing rule; default: every 5xx. */
  freb?: FrebRule;
  /** httpErrors/@errorMode; default DetailedLocalOnly. */
  errorMode?: ErrorMode;
  /** Keep every log record in memory (default) or only count them. */
  retainRecords?: boolean;
  /** http.sys and app-pool limits (queue, threads, connections, timers); IIS defaults when unset. */
  httpSys?: HttpSysSettings;
  /** The modelled nonpaged pool (Connections_Refused below 20 MB free); defaults when unset. */
  nonPagedPool?: NonPagedPoolSettings;
  /** Deterministic runs: the book of modelled addresses, and this host's modelled IP. */
  addresses?: { book: AddressBook; ip: string };
  /** Deterministic runs: the modelled spread of time-taken. */
  timeTaken?: TimeTakenModel;
}

/**
 * An IIS host: a front listener and a pipeline that runs the handler and writes the W3SVC or
 * HTTPERR line for every request exactly once. Controller and members are both IIS hosts; only
 * the handler differs.
 */
export class IisHost {
  readonly identity: HostIdentity;
  readonly clock: LabClock;
  readonly logs: HostLogs;
  private readonly server: Server;
  private readonly handler: RequestHandler;
  private readonly ids: IdSource;
  private readonly modelled: { book: AddressBook; ip: string } | undefined;
  private readonly books = new WeakMap<Socket, ConnectionBook>();
  private readonly sockets = new Set<Socket>();
  private readonly requestsBySocket = new WeakMap<Socket, HostRequest>();
  readonly front: HttpSysFront;
  readonly freb: FrebLog;
  readonly errorMode: ErrorMode;
  /** Stand-ins for w3wp's process and thread ids in traces: stable per host name. */
  private readonly processId: number;
  private readonly tracing: TracingHost;
  private readonly active = new Set<HostRequest>();
  private readonly stopping = new AbortController();
  private readonly bindAddress: string;
  /** One copy for every response (a held request keeps its response headers). */
  private readonly serverHeader: string;
  private boundPort: number;
  private listening = false;
  /** While offline: the socket that keeps the port the host's own (port-hold.ts). */
  private portHold: Socket | undefined;
  private seq = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(options: IisHostOptions) {
    this.identity = options.identity;
    this.serverHeader = `Microsoft-IIS/${options.identity.iisVersion}`;
    this.clock = options.clock;
    this.handler = options.handler;
    this.bindAddress = options.bindAddress ?? '127.0.0.1';
    this.boundPort = options.port ?? 0;
    this.ids = options.ids;
    this.modelled = options.addresses;
    this.errorMode = options.errorMode ?? 'DetailedLocalOnly';
    this.freb = new FrebLog(frebDir(options.root, options.identity.siteId), options.freb ?? DEFAULT_FREB_RULE);
    this.processId = 1000 + (createHash('md5').update(options.identity.name).digest().readUInt16BE(0) % 8000);
    this.tracing = { identity: this.identity, processId: this.processId, activityId: () => this.ids.guid() };
    this.logs = new HostLogs({
      host: options.identity.name,
      root: options.root,
      siteId: options.identity.siteId,
      iisVersion: options.identity.iisVersion,
      httperrVariant: options.identity.httperrVariant,
      retain: options.retainRecords,
      timeTaken: options.timeTaken,
    });
    this.front = new HttpSysFront(
      { clock: this.clock, logs: this.logs, addresses: this.modelled?.book, activeRequests: () => this.active.size, log: (r: HostRequest) => this.log(r) },
      options.httpSys ?? HTTP_SYS_DEFAULTS,
      options.nonPagedPool ?? NON_PAGED_POOL_DEFAULTS,
    );
    const connections = {
      settings: () => this.front.settings,
      now: () => this.clock.now(),
      request: (exchange: Exchange) => {
        // The request's own timeline: it starts where its sender (the scenario client, ARR) stood.
        const { timeline, sender } = this.clock.receive(header(exchange.req, 'x-arr-log-id') ?? header(exchange.req, LAB_REQUEST_HEADER));
        timeline.run(() => this.run(exchange, timeline, sender));
      },
      rejected: (socket: Socket, rejection: Rejection) => this.rejected(socket, rejection),
      badBody: (exchange: Exchange) => this.badBody(exchange),
      closed: (socket: Socket, exchange: Exchange | undefined) => {
        this.sockets.delete(socket);
        this.front.closed(socket);
        const request = this.requestsBySocket.get(socket);
        if (exchange && request?.res === exchange.res) request.connectionClosed();
      },
    };
    this.server = createServer((socket: Socket) => {
      // A refused connection is reset at once: there is nothing to keep of it.
      if (!this.front.accept(socket)) return;
      this.sockets.add(socket);
      new HttpConnection(socket, connections);
      // After the connection's own listeners: its close is handled before the book forgets the peer.
      this.modelled?.book.accepted(socket);
    });
  }

  /** http.sys limits; replaceable while the lab runs. */
  get httpSys(): HttpSysSettings {
    return this.front.settings;
  }

  set httpSys(settings: HttpSysSettings) {
    this.front.settings = settings;
  }

  get pool(): NonPagedPool {
    return this.front.pool;
  }

  get port(): number {
    return this.boundPort;
  }

  get address(): string {
    return this.bindAddress;
  }

  get addresses(): AddressBook | undefined {
    return this.modelled?.book;
  }

  get online(): boolean {
    return this.listening;
  }

  /** Requests accepted so far; each is logged exactly once. */
  get accepted(): number {
    return this.seq;
  }

  get inFlight(): number {
    return this.active.size;
  }

  /** Starts listening (again, on the same port once one was bound). */
  async goOnline(): Promise<void> {
    if (this.listening) return;
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen({ host: this.bindAddress, port: this.boundPort, exclusive: true }, () => {
        this.server.off('error', onError);
        this.boundPort = (this.server.address() as AddressInfo).port;
        this.modelled?.book.listening(this.boundPort, this.modelled.ip);
        this.listening = true;
        // Listening first, then letting go: the port is never free in between.
        this.portHold?.destroy();
        this.portHold = undefined;
        resolve();
      });
    });
  }

  /**
   * Stops listening: new connections are refused by the OS (nothing listens on the port). Idle
   * connections close now and busy ones after their response, so the change does not wait on
   * anything (an idle timer, the proxy's pool) and the next request meets it whatever the proxy
   * kept alive (docs/arr-model.md, silent member). The port stays the host's (port-hold.ts) until
   * it comes back or stops.
   */
  goOffline(): Promise<void> {
    if (!this.listening) return Promise.resolve();
    this.listening = false;
    // The port is free once close() returns; its callback would wait for every connection to end.
    this.server.close();
    this.portHold = holdPort(this.bindAddress, this.boundPort);
    for (const socket of this.sockets) connectionOf(socket)?.retire();
    return Promise.resolve();
  }

  /** Reserves a port without serving on it: a member that is offline from the start. */
  async reservePort(): Promise<void> {
    await this.goOnline();
    await this.goOffline();
  }

  /** Resolves once no request is in the pipeline. */
  idle(): Promise<void> {
    if (this.active.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * The worker process dies (a crash, a rapid-fail, a recycle that goes wrong): every request it
   * was running or that waited in its queue is abandoned by http.sys, logged as
   * Connection_Abandoned_By_ReqQueue, and its connection reset. The host keeps listening: the next
   * request starts a new worker, as WAS would.
   */
  crashWorker(): number {
    const victims = [...this.active].filter((r) => !r.logged);
    for (const request of victims) {
      request.drop('Connection_Abandoned_By_ReqQueue', 'reset');
      this.log(request);
    }
    this.front.workerDied();
    return victims.length;
  }

  /**
   * Stops the host: requests still in the pipeline are abandoned (HTTPERR
   * Connection_Abandoned_By_ReqQueue, as when a worker process goes away with requests queued),
   * every connection is closed, and the logs are flushed and closed.
   */
  async stop(): Promise<void> {
    this.stopping.abort(new Error(`host ${this.identity.name} stopped`));
    this.front.stop();
    for (const request of [...this.active]) {
      if (!request.logged) {
        request.drop('Connection_Abandoned_By_ReqQueue', 'none');
        this.log(request);
      }
      request.socket.destroy();
    }
    for (const socket of this.sockets) socket.destroy();
    this.listening = false;
    // Called on a server already closed, close() still reports when its last connection has gone.
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.portHold?.destroy();
    this.portHold = undefined;
    this.logs.close();
  }

  /**
   * The pipeline, as a chain of steps rather than one async function: a request held in its
   * handler keeps the handler's promise and one pending step, not a suspended frame.
   */
  private run({ req, res, socket }: Exchange, timeline: Timeline, sender: Timeline | undefined): void {
    const request = new HostRequest(this, ++this.seq, timeline, req, res, this.stopping.signal, sender);
    this.active.add(request);
    request.cancelTimeTakenRule = armTimeTakenRule(this.freb, request, this.tracing);
    this.requestsBySocket.set(socket, request);
    res.setHeader('Server', this.serverHeader);
    this.front.requestStarted(socket);
    if (this.front.refusesRequest(request)) return;
    const admission = this.front.admit(request);
    // A worker picks a request with a body up after http.sys has parsed the body bytes that came
    // with it (a malformed chunk is refused before the page runs); a bodyless one, or one whose
    // body is whole already (WinHTTP's `Content-Length: 0`), needs no turn.
    if (admission instanceof Promise || (req.body !== undefined && !req.bodyReceived)) void Promise.resolve(admission).then((worker) => this.serve(request, worker));
    else void this.serve(request, admission);
  }

  /** The worker runs the handler (or IIS answers itself), then the request ends. */
  private serve(request: HostRequest, worker: number | undefined): Promise<void> | undefined {
    if (worker === undefined) return undefined;
    const entityBody = this.front.watchEntityBody(request);
    let handled: Promise<unknown> | undefined;
    try {
      if (request.req.url === '*') this.optionsStar(request);
      else if (this.front.running > this.httpSys.appConcurrentRequestLimit) this.tooManyRequests(request);
      else handled = this.handler.handle(request);
    } catch (err) {
      return this.handlerFailed(request, worker, entityBody, err);
    }
    if (!handled) return this.finish(request, worker, entityBody);
    return handled.then(
      () => this.finish(request, worker, entityBody),
      (err: unknown) => this.handlerFailed(request, worker, entityBody, err),
    );
  }

  private handlerFailed(request: HostRequest, worker: number, entityBody: EntityBodyWatch | undefined, err: unknown): Promise<void> | undefined {
    if (this.stopping.signal.aborted) return undefined;
    const { res } = request;
    if (!res.headersSent && !request.httpErr) {
      request.fail({
        status: 500, substatus: 0, win32: 0, errorCode: 0x80004005, module: 'IIS Web Core',
        notification: 'ExecuteRequestHandler', handler: 'lab', description: String((err as Error).message ?? err),
      });
    } else if (!request.httpErr) {
      res.destroy();
    }
    return this.finish(request, worker, entityBody);
  }

  /**
   * The handler is done: the response goes out whole (or the client has gone), the worker is free,
   * the request is logged. A promise only when it has to wait for the response to leave (the
   * common case costs no promise); a failure is a rejected promise either way.
   */
  private finish(request: HostRequest, worker: number, entityBody: EntityBodyWatch | undefined): Promise<void> | undefined {
    try {
      const { res } = request;
      if (!request.httpErr && !res.writableEnded && !request.clientGone) res.end();
      entityBody?.cancel();
      if (!res.writableFinished && !res.closed && !request.httpErr) {
        const slowReader = this.front.watchSendRate(request);
        return new Promise<void>((resolve) => {
          res.once('finish', resolve);
          res.once('close', resolve);
        }).then(() => {
          slowReader?.cancel();
          this.sent(request, worker);
        });
      }
      this.sent(request, worker);
      return undefined;
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** The response has left (or never will): the worker is free and the request is logged. */
  private sent(request: HostRequest, worker: number): void {
    const { res, socket, timeline } = request;
    this.front.release(worker);
    if (request.logged) return;
    // http.sys waits a minute for the logging data of a request whose client has gone; a page
    // that finishes later than that is logged by http.sys as Connection_Dropped (W32-ERRTYPES).
    if (!request.httpErr && request.clientGoneAt !== undefined && timeline.now() - request.clientGoneAt > LOGGING_WAIT_MS) {
      request.drop('Connection_Dropped', 'none', { status: res.statusCode });
    }
    this.log(request);
    this.front.requestDone(socket);
  }

  /**
   * `OPTIONS *` asks about the server, not a resource: IIS answers it itself with the verbs it
   * serves, without running a handler [I].
   */
  private optionsStar(request: HostRequest): void {
    const { res } = request;
    res.setHeader('Allow', 'OPTIONS, TRACE, GET, HEAD, POST');
    res.setHeader('Public', 'OPTIONS, TRACE, GET, HEAD, POST');
    res.setHeader('Content-Length', 0);
    res.end();
  }

  /**
   * http.sys refused a request before any pipeline saw it (docs/reference.md §6.3-6.6): one HTTPERR line
   * with what it had parsed, no site or queue (it was never routed), and nothing for the handler.
   */
  private rejected(socket: Socket, rejection: Rejection): void {
    const peer = this.peerOf(socket);
    const at = this.clock.now();
    this.logs.httpErr(
      { host: this.identity.name, seq: ++this.seq, labRequest: undefined, arrLogId: undefined, at },
      {
        'c-ip': peer.cIp, 'c-port': peer.cPort, 's-ip': peer.sIp, 's-port': peer.sPort,
        'cs-version': rejection.version,
        'cs-method': rejection.method?.slice(0, 255),
        'cs-uri': rejection.uri?.slice(0, 4096),
        streamid: undefined,
        'sc-status': ANSWERS[rejection.answer].status,
        's-siteid': undefined,
        's-reason': rejection.reason,
        's-queuename': undefined,
      },
    );
  }

  /** The client's body broke the chunked syntax: http.sys answers 400 if it still can [U] and the request is the client's fault. */
  private badBody({ socket }: Exchange): void {
    const request = this.requestsBySocket.get(socket);
    if (!request || request.logged) return;
    request.refuse('BadRequest', 'bad-request', true);
  }

  /** A connection's addresses (as modelled in deterministic runs), as first seen: its requests share them. */
  peerOf(socket: Socket): Peer {
    return this.bookOf(socket).peer;
  }

  private bookOf(socket: Socket): ConnectionBook {
    let book = this.books.get(socket);
    if (!book) {
      const modelled = this.modelled?.book.peer(socket);
      const peer = {
        cIp: modelled?.remote?.ip ?? socket.remoteAddress ?? '-',
        cPort: modelled?.remote?.port ?? socket.remotePort ?? 0,
        sIp: modelled?.local?.ip ?? socket.localAddress ?? '-',
        sPort: modelled?.local?.port ?? socket.localPort ?? 0,
      };
      book = { peer, read: 0, written: 0 };
      this.books.set(socket, book);
    }
    return book;
  }

  /** serverRuntime/@appConcurrentRequestLimit exceeded: IIS itself answers 503.2 (docs/reference.md §2.2). */
  private tooManyRequests(request: HostRequest): void {
    request.fail({
      status: 503, substatus: 2, win32: 0, errorCode: 0, module: 'IIS Web Core', notification: 'BeginRequest',
      handler: 'Not yet determined', description: 'The serverRuntime@appConcurrentRequestLimit setting is being exceeded.',
    });
  }

  /** The request's own bytes on the wire: a keep-alive socket carries several requests. */
  private bytesOf(socket: Socket): { sent: number; received: number } {
    const book = this.bookOf(socket);
    const read = socket.bytesRead ?? 0;
    const written = socket.bytesWritten ?? 0;
    const bytes = { sent: written - book.written, received: read - book.read };
    book.read = read;
    book.written = written;
    return bytes;
  }

  private log(request: HostRequest): void {
    if (request.logged) return;
    request.logged = true;
    this.active.delete(request);
    const { req, res, peer } = request;
    const at = request.timeline.now();
    request.timeline.finish();
    const listFull = request.httpErr?.reason === 'Connection_Dropped' && this.front.dropped(at);
    const onWire = this.bytesOf(request.socket);
    // How much of a stalled upload arrived depends on the kernel's socket buffers; a deterministic
    // run reports a modelled amount so that its FREB does not change from run to run.
    const stalled = this.modelled !== undefined && request.req.headers['content-length'] !== undefined && !request.req.bodyReceived;
    const announced = Number(request.req.headers['content-length'] ?? Number.POSITIVE_INFINITY);
    const bytes = stalled ? { ...onWire, received: Math.min(announced, MODELLED_STALLED_UPLOAD_BYTES) } : onWire;
    const { failure } = request;
    const meta: RecordMeta = failure
      ? { host: this.identity.name, seq: request.seq, labRequest: request.labRequest, arrLogId: request.arrLogId, failure, at }
      : { host: this.identity.name, seq: request.seq, labRequest: request.labRequest, arrLogId: request.arrLogId, at };
    const url = req.url;
    const q = url.indexOf('?');
    if (request.httpErr) {
      const entry: HttperrEntry = {
        'c-ip': peer.cIp,
        'c-port': peer.cPort,
        's-ip': peer.sIp,
        's-port': peer.sPort,
        'cs-version': `HTTP/${req.httpVersion}`,
        'cs-method': req.method,
        'cs-uri': url,
        streamid: undefined,
        'sc-status': request.httpErr.status,
        's-siteid': this.identity.siteId,
        's-reason': listFull ? 'Connection_Dropped_List_Full' : request.httpErr.reason,
        's-queuename': this.identity.appPool,
      };
      this.logs.httpErr(meta, entry);
    } else {
      const entry: W3cEntry = {
        's-ip': peer.sIp,
        'cs-method': req.method,
        'cs-uri-stem': logStem(q < 0 ? url : url.slice(0, q)),
        'cs-uri-query': logQuery(q < 0 ? undefined : url.slice(q + 1), request.appendedToLog),
        's-port': peer.sPort,
        'cs-username': undefined,
        'c-ip': peer.cIp,
        'cs(User-Agent)': header(req, 'user-agent'),
        'cs(Referer)': header(req, 'referer'),
        'sc-status': res.statusCode,
        'sc-substatus': request.substatus,
        'sc-win32-status': request.win32 ?? (request.clientGone ? HOST_WIN32.ERROR_NETNAME_DELETED.code : 0),
        'time-taken': Math.round(at - request.startedAt),
      };
      this.logs.w3c(meta, entry);
    }
    request.cancelTimeTakenRule?.();
    writeRequestTrace(this.freb, request, at, bytes, this.tracing);
    if (this.active.size === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}

/** How long http.sys waits for a request's logging data after its client went away (docs/reference.md §6.4). */
const LOGGING_WAIT_MS = 60_000;
