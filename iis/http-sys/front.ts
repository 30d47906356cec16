import type { Socket } from 'node:net';
import type { AddressBook } from '../../core/address-book.ts';
import type { LabClock, TimerHandle } from '../../core/clock.ts';
import type { HostLogs } from '../host-logs.ts';
import type { HostRequest } from '../host-request.ts';
import { AppPoolQueue, type Admission } from './app-pool-queue.ts';
import { RapidFailProtection, unavailableReason, type AppPoolState } from './app-pool-state.ts';
import { EntityBodyWatch, type EntityBodyWatcher } from './entity-body-watch.ts';
import { ConnectionWatch, type ConnectionTimer, type Watcher } from './connection-watch.ts';
import { NonPagedPool, type NonPagedPoolSettings } from './nonpaged-pool.ts';
import type { HttpSysSettings } from './settings.ts';
import { HOST_WIN32 } from '../win32-status.ts';


/** What the http.sys front needs from the host it stands in front of. */
export interface FrontHost {
  readonly clock: LabClock;
  readonly logs: HostLogs;
  readonly addresses: AddressBook | undefined;
  activeRequests(): number;
  /** Logs a request that ends here (an HTTPERR line). */
  log(request: HostRequest): void;
}

/**
 * A host's http.sys (docs/reference.md §6): which connections it takes (nonpaged pool, Connections_Refused),
 * the timers on connections and requests (ConnectionIdle, HeaderWait, EntityBody, MinBytesPerSecond),
 * the site's connection limit, the app pool's queue in front of the worker, and the list of dropped
 * connections. Every wait is on the lab clock.
 */
export class HttpSysFront implements Watcher, EntityBodyWatcher {
  readonly pool: NonPagedPool;
  /** What WAS has done to the app pool; requests to a pool not Started get http.sys's 503. */
  appPool: AppPoolState = 'Started';
  private readonly rapidFail = new RapidFailProtection();
  private readonly queue: AppPoolQueue;
  private readonly watches = new Map<Socket, ConnectionWatch>();
  private refused = 0;
  private refusedReport: TimerHandle | undefined;
  /** Instants of the dropped connections http.sys still lists. */
  private readonly droppedList: number[] = [];

  constructor(
    private readonly host: FrontHost,
    /** The limits in force; replaceable while the lab runs. */
    public settings: HttpSysSettings,
    pool: NonPagedPoolSettings,
  ) {
    this.pool = new NonPagedPool(pool, host.clock.now());
    this.queue = new AppPoolQueue(() => this.settings, host.clock);
  }

  get clock(): LabClock {
    return this.host.clock;
  }

  get connectionTimeout(): number {
    return this.settings.connectionTimeout;
  }

  /** A request arrived on a connection: its idle timer stops. */
  requestStarted(socket: Socket): void {
    this.watches.get(socket)?.busy();
  }

  /** The request on a connection is done: http.sys waits for the next one. */
  requestDone(socket: Socket): void {
    this.watches.get(socket)?.idle();
  }

  /**
   * Waits for a worker thread; the worker's generation, or undefined when the request ended here.
   * Synchronous when a worker is free (the common case: no promise, no extra turn).
   */
  admit(request: HostRequest): number | undefined | Promise<number | undefined> {
    const admission = this.queue.enter(request.socket);
    return admission instanceof Promise ? admission.then((a) => this.admitted(request, a)) : this.admitted(request, admission);
  }

  private admitted(request: HostRequest, admission: Admission): number | undefined {
    if (admission === 'run') return this.queue.generation;
    this.leftQueue(request, admission);
    return undefined;
  }

  /** Requests the worker runs now (serverRuntime/@appConcurrentRequestLimit counts them). */
  get running(): number {
    return this.queue.running;
  }

  release(worker: number): void {
    this.queue.leave(worker);
  }

  /** The worker died: nothing runs and nothing waits any more. */
  workerDied(): void {
    this.queue.reset();
    if (this.rapidFail.crashed(this.host.clock.now())) this.appPool = 'RapidFailOffline';
  }

  stop(): void {
    for (const watch of this.watches.values()) watch.busy();
    this.watches.clear();
    this.queue.drain();
    this.refusedReport?.cancel();
  }

  /** A connection arrives: taken and watched (true), or refused for want of nonpaged pool. */
  accept(socket: Socket): boolean {
    if (this.pool.refuses(this.host.clock.now(), this.watches.size, this.host.activeRequests())) {
      this.refuse(socket);
      return false;
    }
    const watch = new ConnectionWatch(socket, this);
    this.watches.set(socket, watch);
    watch.idle();
    return true;
  }

  /** A connection it took has closed: nothing to watch on it any more. */
  closed(socket: Socket): void {
    this.watches.get(socket)?.busy();
    this.watches.delete(socket);
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
      this.host.logs.connectionEvent(this.host.clock.now(), {
        'c-ip': undefined, 'c-port': undefined, 's-ip': undefined, 's-port': undefined, 'cs-version': undefined, 'cs-method': undefined,
        'cs-uri': undefined, streamid: undefined, 'sc-status': undefined, 's-siteid': undefined, 's-reason': `${this.refused}_Connections_Refused`, 's-queuename': undefined,
      });
      this.refused = 0;
      this.refusedReport = this.host.clock.setTimer(this.pool.reportInterval, report);
    };
    this.refusedReport = this.host.clock.setTimer(this.pool.reportInterval, report);
  }

  /** Timer_ConnectionIdle / Timer_HeaderWait: http.sys closes the connection and logs it, not a request. */
  connectionExpired(socket: Socket, timer: ConnectionTimer): void {
    const modelled = this.host.addresses?.peer(socket);
    this.host.logs.connectionEvent(this.host.clock.now(), {
      'c-ip': modelled?.remote?.ip ?? socket.remoteAddress ?? '-',
      'c-port': modelled?.remote?.port ?? socket.remotePort ?? 0,
      's-ip': modelled?.local?.ip ?? socket.localAddress ?? '-',
      's-port': modelled?.local?.port ?? socket.localPort ?? 0,
      'cs-version': undefined, 'cs-method': undefined, 'cs-uri': undefined, streamid: undefined,
      'sc-status': undefined, 's-siteid': undefined, 's-reason': timer, 's-queuename': undefined,
    });
    socket.destroy();
  }

  /** Times the request's body (Timer_EntityBody), unless it has none or has ended already. */
  watchEntityBody(request: HostRequest): EntityBodyWatch | undefined {
    const { body } = request.req;
    if (body === undefined || body.readableEnded) return undefined;
    return new EntityBodyWatch(this, request);
  }

  log(request: HostRequest): void {
    this.host.log(request);
  }

  /**
   * Timer_MinBytesPerSecond: a response the client reads slower than minBytesPerSecond is cut once
   * the time to send all of it at that rate has passed (DOC-WEBLIMITS). IIS's send fails with
   * ERROR_CONNECTION_ABORTED (1236) in its W3SVC line [I]; http.sys logs the timer about the
   * connection.
   */
  watchSendRate(request: HostRequest): TimerHandle | undefined {
    const rate = this.settings.minBytesPerSecond;
    const length = Number(request.res.getHeader('content-length') ?? 0);
    if (rate === 0 || !(length > 0)) return undefined;
    return this.host.clock.setTimer(Math.max(1000, (length / rate) * 1000), () => {
      if (request.res.writableFinished || request.socket.destroyed) return;
      request.win32 = HOST_WIN32.ERROR_CONNECTION_ABORTED.code;
      this.connectionExpired(request.socket, 'Timer_MinBytesPerSecond');
    });
  }

  /**
   * The site's connection limit, checked by http.sys before the request reaches a queue: over
   * maxConnections it answers the canned 503 and logs ConnLimit (docs/reference.md §6.4).
   */
  refusesRequest(request: HostRequest): boolean {
    const reason = this.watches.size > this.settings.maxConnections ? 'ConnLimit' : unavailableReason(this.appPool);
    if (reason === undefined) return false;
    request.refuse(reason, 'service-unavailable');
    this.host.log(request);
    return true;
  }

  /** A request that did not get a worker thread: refused, dropped or abandoned by http.sys. */
  leftQueue(request: HostRequest, admission: Exclude<Admission, 'run'>): void {
    switch (admission) {
      case 'queue-full':
        // TcpLevel is for load balancers that only see TCP: the connection is reset instead.
        if (this.settings.loadBalancerCapabilities === 'TcpLevel') request.drop('QueueFull', 'reset');
        else request.refuse('QueueFull', 'service-unavailable');
        break;
      case 'client-reset':
        request.drop('Client_Reset', 'none');
        break;
      case 'timed-out':
        request.drop('Timer_ReqQueue', 'reset');
        break;
      case 'stopped':
        return;
    }
    this.host.log(request);
  }

  /** Notes a dropped connection; true when the dropped list was already full (BLOG-BENPERK). */
  dropped(at: number): boolean {
    const window = this.settings.droppedListWindow;
    while (this.droppedList.length > 0 && at - this.droppedList[0]! > window) this.droppedList.shift();
    if (this.droppedList.length >= this.settings.droppedListSize) return true;
    this.droppedList.push(at);
    return false;
  }
}
