import type { AppPoolState } from '../iis/http-sys/app-pool-state.ts';
import { phaseTimeouts, type Availability, type FarmConfig } from '../proxy/farm-config.ts';
import { ArrHandler } from '../proxy/arr-handler.ts';
import { FarmRuntime } from '../proxy/farm.ts';
import { Forwarder } from '../proxy/forwarder.ts';
import type { FarmEvent } from '../proxy/farm-events.ts';
import { HealthMonitor, type HealthProbe } from '../proxy/health-monitor.ts';
import { WinHttpTrace } from '../proxy/winhttp-trace.ts';
import { applyHttpSysChange, type HttpSysChange } from '../iis/http-sys/settings.ts';
import type { ServerCounters } from '../proxy/server-state.ts';
import { EventLog, eventLogFile } from '../iis/event-log.ts';
import { IisHost, identityFor, type RequestHandler } from '../iis/host.ts';
import type { LoggedRequest } from '../iis/log-records.ts';
import { MemberHandler } from '../backends/member-handler.ts';
import type { Script } from '../backends/script.ts';
import type { ControllerHandle, HostContext, HostDriver, HostHandle, HostSpec, MemberHandle, Offline, ServerSnapshot } from './host-driver.ts';
import { SilentPort } from './silent-port.ts';

class InProcessHost implements HostHandle {
  readonly host: IisHost;
  readonly root: string;

  constructor(
    readonly kind: HostSpec['kind'],
    name: string,
    context: HostContext,
    handler: RequestHandler,
  ) {
    this.root = context.root;
    this.host = new IisHost({ identity: identityFor(name, context.windows), root: context.root, clock: context.clock, ids: context.ids, freb: context.freb, errorMode: context.errorMode, addresses: context.addresses, timeTaken: context.timeTaken, retainRecords: context.retainRecords, httpSys: context.httpSys, nonPagedPool: context.nonPagedPool, handler });
  }

  get name(): string {
    return this.host.identity.name;
  }

  get endpoint() {
    return { host: this.host.address, port: this.host.port };
  }

  get accepted(): number {
    return this.host.accepted;
  }

  get logged(): number {
    return this.host.logs.logged;
  }

  records(): readonly LoggedRequest[] {
    return this.host.logs.records;
  }

  flush(): void {
    this.host.logs.flush();
  }

  onRecord(listener: (record: LoggedRequest) => void): () => void {
    return this.host.logs.onRecord(listener);
  }

  files() {
    return { ...this.host.logs.files(), freb: this.host.freb.files() };
  }

  setOnline(online: boolean): Promise<void> {
    return online ? this.host.goOnline() : this.host.goOffline();
  }

  idle(): Promise<void> {
    return this.host.idle();
  }

  setLeak(mb: number): void {
    this.host.pool.setLeak(mb, this.host.clock.now());
  }

  crashWorker(): number {
    return this.host.crashWorker();
  }

  setAppPool(state: AppPoolState): void {
    this.host.front.appPool = state;
  }

  connectionEvents(): Record<string, number> {
    return Object.fromEntries(this.host.logs.connectionEvents);
  }

  setHttpSys(change: HttpSysChange): void {
    this.host.httpSys = applyHttpSysChange(this.host.httpSys, change);
  }

  stop(): Promise<void> {
    return this.host.stop();
  }
}

class InProcessMember extends InProcessHost implements MemberHandle {
  declare readonly kind: 'member';

  constructor(name: string, context: HostContext, private readonly handler: MemberHandler) {
    super('member', name, context, handler);
  }

  setScript(script: Script): void {
    this.handler.setScript(script);
  }

  private silent: SilentPort | undefined;

  /** Every mode keeps the member's port: refusing leaves it unbound, silent lends it to a SilentPort. */
  async setOffline(offline: Offline): Promise<void> {
    if (offline === 'silent' && this.silent) return;
    await this.silent?.close();
    this.silent = undefined;
    if (offline === false) return this.host.goOnline();
    await this.host.goOffline();
    if (offline === 'silent') this.silent = await SilentPort.open(this.host.port);
  }

  override setOnline(online: boolean): Promise<void> {
    return this.setOffline(!online);
  }

  override async stop(): Promise<void> {
    await super.stop();
    await this.silent?.close();
    this.silent = undefined;
  }
}

class InProcessController extends InProcessHost implements ControllerHandle {
  declare readonly kind: 'controller';
  private readonly health: HealthMonitor;
  private readonly eventLog: EventLog;
  private readonly winhttp: WinHttpTrace;
  private readonly arr: ArrHandler;

  constructor(name: string, context: HostContext, private readonly farm: FarmRuntime, private readonly forwarder: Forwarder) {
    const health = new HealthMonitor(farm, forwarder, context.clock);
    const winhttp = new WinHttpTrace(context.root);
    const arr = new ArrHandler(farm, forwarder, context.ids, health, winhttp);
    super('controller', name, context, arr);
    this.arr = arr;
    this.health = health;
    this.winhttp = winhttp;
    this.eventLog = new EventLog(context.root, name);
    farm.onEvent((e) => this.eventLog.write({ id: e.id, level: e.level, at: e.at, provider: ARR_EVENT_PROVIDER, message: e.message }));
  }

  /** Idle also means no health test in progress: its outcome is part of what a step may check. */
  override async idle(): Promise<void> {
    await Promise.all([super.idle(), this.health.idle()]);
  }

  startHealthChecks(): void {
    this.health.start();
  }

  setAvailability(address: string, availability: Availability): void {
    this.farm.setAvailability(address, availability);
  }

  setHealthy(address: string, healthy: boolean): void {
    const server = this.farm.server(address);
    if (!server) throw new Error(`farm ${this.farm.config.name} has no server "${address}"`);
    if (healthy) this.farm.markHealthy(server);
    else this.farm.markUnhealthy(server, 'an administrator (SetUnhealthy)');
  }

  get farmConfig(): FarmConfig {
    return this.farm.config;
  }

  setProtocolTimeout(ms: number): void {
    this.farm.config.protocol.timeout = ms;
  }

  counters(address: string): ServerCounters | undefined {
    return this.farm.server(address)?.counters;
  }

  servers(): ServerSnapshot[] {
    return this.farm.servers.map((s) => ({ address: s.address, availability: s.availability, state: s.state, healthy: s.healthy, counters: { ...s.counters } }));
  }

  events(): readonly FarmEvent[] {
    return this.farm.events;
  }

  probes(): readonly HealthProbe[] {
    return this.health.probes;
  }

  unreachedTrips(): number {
    return this.arr.unreachedTrips;
  }

  override flush(): void {
    super.flush();
    this.winhttp.flush();
  }

  override files() {
    return { ...super.files(), events: this.eventLog.records.length > 0 ? [eventLogFile(this.root)] : [], winhttp: this.winhttp.files() };
  }

  override async stop(): Promise<void> {
    this.health.stop();
    await super.stop();
    await this.forwarder.close();
    this.eventLog.close();
    this.winhttp.close();
  }
}

/** Not documented; the name the lab writes on ARR's events (docs/reference.md §1.9). */
const ARR_EVENT_PROVIDER = 'Application Request Routing';

/** Hosts as objects in this process, sharing the lab clock: the fastest and most precise mode. */
export const inProcessDriver: HostDriver = {
  async startMember(spec, context) {
    const member = new InProcessMember(spec.name, context, new MemberHandler(spec.script));
    if (spec.offline) await member.host.reservePort();
    else await member.host.goOnline();
    if (spec.offline === 'silent') await member.setOffline('silent');
    context.directory.set(spec.name, member.endpoint);
    return member;
  },

  async startController(spec, context) {
    const farm = new FarmRuntime(spec.farm, context.clock);
    const timeouts = () => phaseTimeouts(farm.config);
    const modelled = context.addresses;
    const forwarder = new Forwarder(
      context.clock, context.directory, timeouts, farm.config.protocol.maxResponseHeaderSize,
      modelled ? (socket) => modelled.book.connected(socket, modelled.ip) : undefined,
    );
    const controller = new InProcessController(spec.name, context, farm, forwarder);
    await controller.host.goOnline();
    controller.startHealthChecks();
    return controller;
  },
};
