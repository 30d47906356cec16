import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { LabClock, TimerHandle } from '../core/clock.ts';
import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { AddressBook } from '../core/address-book.ts';
import { socketLedger } from '../core/socket-ledger.ts';
import { AppPoolQueue, type Admission } from './http-sys/app-pool-queue.ts';
import { canned503 } from './http-sys/canned-503.ts';
import { ConnectionWatch, type ConnectionTimer } from './http-sys/connection-watch.ts';
import { HTTP_SYS_DEFAULTS, type HttpSysSettings } from './http-sys/settings.ts';
import { NonPagedPool, nonPagedPoolSchema, type NonPagedPoolSettings } from './http-sys/nonpaged-pool.ts';
import { DEFAULT_WINDOWS, WINDOWS_VERSIONS, type WindowsVersion } from './windows-versions.ts';
import type { IdSource } from '../core/ids.ts';
import { HostRequest, header } from './host-request.ts';
import { DEFAULT_FREB_RULE, FrebLog, frebDir, type FrebRule } from './freb/freb-log.ts';
import { writeRequestTrace } from './freb/request-trace.ts';
import { HostLogs } from './host-logs.ts';
import type { HttperrEntry, RecordMeta, W3cEntry } from './log-records.ts';
import type { HttperrVariant } from './w3c-format.ts';

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

/** The handler a host runs for each request: ARR on the controller, a behaviour script on a member. */
export interface RequestHandler {
  handle(request: HostRequest): Promise<void>;
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
  /** Keep every log record in memory (default) or only count them. */
  retainRecords?: boolean;
  /** http.sys and app-pool limits (queue, threads, connections, timers); IIS defaults when unset. */
  httpSys?: HttpSysSettings;
  /** The modelled nonpaged pool (Connections_Refused below 20 MB free); defaults when unset. */
  nonPagedPool?: NonPagedPoolSettings;
  /** Deterministic runs: the book of modelled addresses, and this host's modelled IP. */
  addresses?: { book: AddressBook; ip: string };
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
  private readonly socketMarks = new WeakMap<Socket, { read: number; written: number }>();
  /** http.sys limits; replaceable while the lab runs. */
  httpSys: HttpSysSettings;
  private readonly queue: AppPoolQueue;
  private readonly watches = new Map<Socket, ConnectionWatch>();
  readonly pool: NonPagedPool;
  private refused = 0;
  /** Instants of the dropped connections http.sys still lists. */
  private readonly droppedList: number[] = [];
  private refusedReport: TimerHandle | undefined;
  readonly freb: FrebLog;
  /** Stand-ins for w3wp's process and thread ids in traces: stable per host name. */
  private readonly processId: number;
  private readonly active = new Set<HostRequest>();
  private readonly stopping = new AbortController();
  private readonly bindAddress: string;
  private boundPort: number;
  private listening = false;
  private seq = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(options: IisHostOptions) {
    this.identity = options.identity;
    this.clock = options.clock;
    this.handler = options.handler;
    this.bindAddress = options.bindAddress ?? '127.0.0.1';
    this.boundPort = options.port ?? 0;
    this.ids = options.ids;
    // Every sleeping page listens for the host stopping: as many listeners as requests in flight.
    setMaxListeners(0, this.stopping.signal);
    this.modelled = options.addresses;
    this.freb = new FrebLog(frebDir(options.root, options.identity.siteId), options.freb ?? DEFAULT_FREB_RULE);
    this.processId = 1000 + (createHash('md5').update(options.identity.name).digest().readUInt16BE(0) % 8000);
    this.logs = new HostLogs({
      host: options.identity.name,
      root: options.root,
      siteId: options.identity.siteId,
      iisVersion: options.identity.iisVersion,
      httperrVariant: options.identity.httperrVariant,
      retain: options.retainRecords,
    });
    // Node's own real-time timers would end connections behind the lab clock's back; the http.sys
    // timers of the model replace them.
    this.server = createServer({ requestTimeout: 0, headersTimeout: 0, keepAliveTimeout: 0 }, (req, res) => {
      void this.run(req, res);
    });
    this.httpSys = options.httpSys ?? HTTP_SYS_DEFAULTS;
    this.queue = new AppPoolQueue(() => this.httpSys, this.clock);
    this.pool = new NonPagedPool(options.nonPagedPool ?? nonPagedPoolSchema.parse({}), this.clock.now());
    this.server.on('connection', (socket: Socket) => this.accept(socket));
    this.server.keepAliveTimeout = 0;
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
        resolve();
      });
    });
  }

  /**
   * Stops listening: new connections are refused by the OS (nothing listens on the port), the
   * connections already open carry on.
   */
  async goOffline(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
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
      request.httpErr = { reason: 'Connection_Abandoned_By_ReqQueue', status: undefined };
      request.socket.resetAndDestroy();
      this.log(request);
    }
    this.queue.reset();
    return victims.length;
  }

  /**
   * Stops the host: requests still in the pipeline are abandoned (HTTPERR
   * Connection_Abandoned_By_ReqQueue, as when a worker process goes away with requests queued),
   * every connection is closed, and the logs are flushed and closed.
   */
  async stop(): Promise<void> {
    this.stopping.abort(new Error(`host ${this.identity.name} stopped`));
    for (const watch of this.watches.values()) watch.busy();
    this.watches.clear();
    this.refusedReport?.cancel();
    this.queue.drain();
    for (const request of [...this.active]) {
      if (!request.logged) {
        request.httpErr = { reason: 'Connection_Abandoned_By_ReqQueue', status: undefined };
        this.log(request);
      }
      request.socket.destroy();
    }
    this.server.closeAllConnections();
    if (this.listening) await this.goOffline();
    this.logs.close();
  }

  private async run(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.clock.touch();
    const request = new HostRequest(this, ++this.seq, this.clock.now(), req, res, this.stopping.signal);
    this.active.add(request);
    res.setHeader('Server', `Microsoft-IIS/${this.identity.iisVersion}`);
    let closed = false;
    res.on('close', () => {
      closed = true;
      if (!res.writableFinished) {
        request.clientGone = true;
        request.clientGoneAt ??= this.clock.now();
      }
    });
    // A write after the client went away fails the send (logged as win32 64), it is not a crash.
    res.on('error', () => {});
    const watch = this.watches.get(req.socket);
    watch?.busy();
    if (this.refusedByHttpSys(request)) return;
    const admission = await this.queue.enter(req.socket);
    if (admission !== 'run') {
      this.leftQueue(request, admission);
      return;
    }
    const worker = this.queue.generation;
    const entityBody = this.watchEntityBody(request);
    try {
      if (this.queue.running > this.httpSys.appConcurrentRequestLimit) this.tooManyRequests(request);
      else await this.handler.handle(request);
    } catch (err) {
      if (this.stopping.signal.aborted) return;
      if (!res.headersSent && !request.httpErr) {
        request.sendError({
          status: 500, substatus: 0, win32: 0, errorCode: 0x80004005, module: 'IIS Web Core',
          notification: 'ExecuteRequestHandler', handler: 'lab', description: String((err as Error).message ?? err),
        });
      } else if (!request.httpErr) {
        res.destroy();
      }
    }
    if (!request.httpErr && !res.writableEnded && !request.clientGone) res.end();
    entityBody?.();
    if (!res.writableFinished && !closed) {
      const slowReader = this.watchSendRate(request);
      await new Promise<void>((resolve) => {
        res.once('finish', resolve);
        res.once('close', resolve);
      });
      slowReader?.cancel();
    }
    this.queue.leave(worker);
    if (request.logged) return;
    // http.sys waits a minute for the logging data of a request whose client has gone; a page
    // that finishes later than that is logged by http.sys as Connection_Dropped (W32-ERRTYPES).
    if (!request.httpErr && request.clientGoneAt !== undefined && this.clock.now() - request.clientGoneAt > LOGGING_WAIT_MS) {
      request.httpErr = { reason: 'Connection_Dropped', status: res.statusCode };
    }
    this.log(request);
    watch?.idle();
  }

  private accept(socket: Socket): void {
    socketLedger.accepted(socket);
    if (this.pool.refuses(this.clock.now(), this.watches.size, this.active.size)) {
      this.refuse(socket);
      return;
    }
    const watch = new ConnectionWatch(socket, this.clock, () => this.httpSys.connectionTimeout, (timer) => this.connectionExpired(socket, timer));
    this.watches.set(socket, watch);
    socket.once('close', () => {
      watch.busy();
      this.watches.delete(socket);
    });
    watch.idle();
  }

  /**
   * Too little nonpaged pool: http.sys does not take the connection (the lab resets it as soon as
   * the kernel has completed the handshake [I]) and counts it; every `refusedReportInterval` with
   * refusals, one HTTPERR line `<n>_Connections_Refused` with every other field `-`.
   */
  private refuse(socket: Socket): void {
    this.refused++;
    socket.on('error', () => {});
    socket.resetAndDestroy();
    if (this.refusedReport) return;
    const report = () => {
      this.refusedReport = undefined;
      if (this.refused === 0) return;
      this.logs.connectionEvent(this.clock.now(), {
        'c-ip': undefined, 'c-port': undefined, 's-ip': undefined, 's-port': undefined, 'cs-version': undefined, 'cs-method': undefined,
        'cs-uri': undefined, streamid: undefined, 'sc-status': undefined, 's-siteid': undefined, 's-reason': `${this.refused}_Connections_Refused`, 's-queuename': undefined,
      });
      this.refused = 0;
      this.refusedReport = this.clock.setTimer(this.pool.reportInterval, report);
    };
    this.refusedReport = this.clock.setTimer(this.pool.reportInterval, report);
  }

  /** Timer_ConnectionIdle / Timer_HeaderWait: http.sys closes the connection and logs it, not a request. */
  private connectionExpired(socket: Socket, timer: ConnectionTimer): void {
    const modelled = this.modelled?.book.peer(socket.localPort ?? 0, socket.remotePort ?? 0);
    this.logs.connectionEvent(this.clock.now(), {
      'c-ip': modelled?.remote?.ip ?? socket.remoteAddress ?? '-',
      'c-port': modelled?.remote?.port ?? socket.remotePort ?? 0,
      's-ip': modelled?.local?.ip ?? socket.localAddress ?? '-',
      's-port': modelled?.local?.port ?? socket.localPort ?? 0,
      'cs-version': undefined, 'cs-method': undefined, 'cs-uri': undefined, streamid: undefined,
      'sc-status': undefined, 's-siteid': undefined, 's-reason': timer, 's-queuename': undefined,
    });
    socket.destroy();
  }

  /**
   * Timer_EntityBody: the request's body stops arriving for connectionTimeout. Progress is read off
   * the connection, never by reading the body (a 'data' listener would take it from the page):
   * bytes that arrived re-arm the timer, and so do bytes the page has not read yet (a page that
   * leaves the body unread is not the client being slow). http.sys ends the connection and the
   * request is its HTTPERR line.
   */
  private watchEntityBody(request: HostRequest): (() => void) | undefined {
    const { req, socket } = request;
    if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) return undefined;
    if (req.readableEnded) return undefined;
    let timer: TimerHandle | undefined;
    let mark = socket.bytesRead;
    const arm = () => {
      timer = this.clock.setTimer(this.httpSys.connectionTimeout, () => {
        if (req.readableEnded || request.logged || socket.destroyed) return;
        if (socket.bytesRead !== mark || req.readableLength > 0) {
          mark = socket.bytesRead;
          return arm();
        }
        request.httpErr = { reason: 'Timer_EntityBody', status: undefined };
        socket.destroy();
        this.log(request);
      });
    };
    arm();
    return () => timer?.cancel();
  }

  /**
   * Timer_MinBytesPerSecond: a response the client reads slower than minBytesPerSecond is cut once
   * the time to send all of it at that rate has passed (DOC-WEBLIMITS). IIS's send fails with
   * ERROR_CONNECTION_ABORTED (1236) in its W3SVC line [I]; http.sys logs the timer about the
   * connection.
   */
  private watchSendRate(request: HostRequest): TimerHandle | undefined {
    const rate = this.httpSys.minBytesPerSecond;
    const length = Number(request.res.getHeader('content-length') ?? 0);
    if (rate === 0 || !(length > 0)) return undefined;
    return this.clock.setTimer(Math.max(1000, (length / rate) * 1000), () => {
      if (request.res.writableFinished || request.socket.destroyed) return;
      request.win32 = WIN32_CONNECTION_ABORTED;
      this.connectionExpired(request.socket, 'Timer_MinBytesPerSecond');
    });
  }

  /**
   * The site's connection limit, checked by http.sys before the request reaches a queue: over
   * maxConnections it answers the canned 503 and logs ConnLimit (reference §6.4).
   */
  private refusedByHttpSys(request: HostRequest): boolean {
    if (this.watches.size <= this.httpSys.maxConnections) return false;
    this.answerCanned503(request, 'ConnLimit');
    this.log(request);
    return true;
  }

  private answerCanned503(request: HostRequest, reason: string): void {
    request.httpErr = { reason, status: 503 };
    request.req.socket.end(canned503(new Date(this.clock.now())));
  }

  /** A request that did not get a worker thread: refused, dropped or abandoned by http.sys. */
  private leftQueue(request: HostRequest, admission: Exclude<Admission, 'run'>): void {
    switch (admission) {
      case 'queue-full':
        // TcpLevel is for load balancers that only see TCP: the connection is reset instead.
        if (this.httpSys.loadBalancerCapabilities === 'TcpLevel') {
          request.httpErr = { reason: 'QueueFull', status: undefined };
          request.socket.resetAndDestroy();
        } else {
          this.answerCanned503(request, 'QueueFull');
        }
        break;
      case 'client-reset':
        request.httpErr = { reason: 'Client_Reset', status: undefined };
        break;
      case 'timed-out':
        request.httpErr = { reason: 'Timer_ReqQueue', status: undefined };
        request.socket.resetAndDestroy();
        break;
      case 'stopped':
        return;
    }
    this.log(request);
  }

  /** serverRuntime/@appConcurrentRequestLimit exceeded: IIS itself answers 503.2 (reference §2.2). */
  private tooManyRequests(request: HostRequest): void {
    request.sendError({
      status: 503, substatus: 2, win32: 0, errorCode: 0, module: 'IIS Web Core', notification: 'BeginRequest',
      handler: 'Not yet determined', description: 'The serverRuntime@appConcurrentRequestLimit setting is being exceeded.',
    });
  }

  /** Notes a dropped connection; true when the dropped list was already full (BLOG-BENPERK). */
  private dropped(at: number): boolean {
    const window = this.httpSys.droppedListWindow;
    while (this.droppedList.length > 0 && at - this.droppedList[0]! > window) this.droppedList.shift();
    if (this.droppedList.length >= this.httpSys.droppedListSize) return true;
    this.droppedList.push(at);
    return false;
  }

  /** The request's own bytes on the wire: a keep-alive socket carries several requests. */
  private bytesOf(request: HostRequest): { sent: number; received: number } {
    const { socket } = request;
    const mark = this.socketMarks.get(socket) ?? { read: 0, written: 0 };
    const now = { read: socket.bytesRead ?? 0, written: socket.bytesWritten ?? 0 };
    this.socketMarks.set(socket, now);
    return { sent: now.written - mark.written, received: now.read - mark.read };
  }

  private log(request: HostRequest): void {
    if (request.logged) return;
    request.logged = true;
    this.active.delete(request);
    const { req, res, peer } = request;
    const at = this.clock.now();
    if (request.httpErr?.reason === 'Connection_Dropped' && this.dropped(at)) request.httpErr.reason = 'Connection_Dropped_List_Full';
    this.clock.touch();
    const bytes = this.bytesOf(request);
    const meta: RecordMeta = {
      host: this.identity.name,
      seq: request.seq,
      labRequest: request.labRequest,
      arrLogId: request.arrLogId,
      at,
    };
    const url = req.url ?? '/';
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
        's-reason': request.httpErr.reason,
        's-queuename': this.identity.appPool,
      };
      this.logs.httpErr(meta, entry);
    } else {
      const entry: W3cEntry = {
        's-ip': peer.sIp,
        'cs-method': req.method ?? '-',
        'cs-uri-stem': q < 0 ? url : url.slice(0, q),
        'cs-uri-query': q < 0 ? undefined : url.slice(q + 1),
        's-port': peer.sPort,
        'cs-username': undefined,
        'c-ip': peer.cIp,
        'cs(User-Agent)': header(req, 'user-agent'),
        'cs(Referer)': header(req, 'referer'),
        'sc-status': res.statusCode,
        'sc-substatus': request.substatus,
        'sc-win32-status': request.win32 ?? (request.clientGone ? WIN32_NETNAME_DELETED : 0),
        'time-taken': Math.round(at - request.startedAt),
      };
      this.logs.w3c(meta, entry);
    }
    if (!request.httpErr) writeRequestTrace(this.freb, request, at, bytes, { identity: this.identity, processId: this.processId, activityId: () => this.ids.guid() });
    if (this.active.size === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }
}

/** How long http.sys waits for a request's logging data after its client went away (reference §6.4). */
const LOGGING_WAIT_MS = 60_000;

/** ERROR_CONNECTION_ABORTED: the network connection was aborted by the local system (reference §3.3). */
const WIN32_CONNECTION_ABORTED = 1236;

/** ERROR_NETNAME_DELETED: the client went away before the response was sent (reference §3.3). */
export const WIN32_NETNAME_DELETED = 64;
