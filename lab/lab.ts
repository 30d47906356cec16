import { join } from 'node:path';
import { AddressBook } from '../core/address-book.ts';
import { seededTimeTaken } from './jitter.ts';
import { LabClock } from '../core/clock.ts';
import { randomIds, seededIds, type IdSource } from '../core/ids.ts';
import { DEFAULT_FREB_RULE, type FrebRule } from '../iis/freb/freb-log.ts';
import type { ErrorMode } from '../iis/detailed-error-page.ts';
import type { WindowsVersion } from '../iis/windows-versions.ts';
import { httpSysSchema, type HttpSysInput, type HttpSysSettings } from '../iis/http-sys/settings.ts';
import { nonPagedPoolSchema } from '../iis/http-sys/nonpaged-pool.ts';
import { farmSchema, type FarmInput } from '../proxy/farm-config.ts';
import { LabResolver, resolverSchema, type ResolverScript } from '../proxy/lab-resolver.ts';
import type { ControllerHandle, HostDriver, HostHandle, MemberHandle, Offline } from './host-driver.ts';
import { inProcessDriver } from './in-process-driver.ts';
import { CONTROLLER_NAME } from './controller-name.ts';

export interface MemberTopology {
  name: string;
  /** Script data as in a scenario (see backends/script.ts). */
  script?: unknown;
  /** `true`: nothing listens on the member's port (refused); `'silent'`: its SYNs go unanswered. */
  offline?: Offline;
  /** http.sys and app-pool limits (iis/http-sys/settings.ts). */
  httpSys?: HttpSysInput;
  /** The modelled nonpaged pool (iis/http-sys/nonpaged-pool.ts). */
  nonPagedPool?: Record<string, unknown>;
}

export interface Topology {
  /** Farm settings; servers default to one per member, addressed by member name. */
  farm?: FarmInput;
  members: MemberTopology[];
  /** The controller's own http.sys and app-pool limits. */
  controller?: { httpSys?: HttpSysInput };
  /** The lab DNS's answers, delays and failures per name (proxy/lab-resolver.ts). */
  resolver?: ResolverScript;
}

export interface LabOptions {
  /** Folder under which each host's system drive is laid out. */
  root: string;
  /** Wall seconds per nominal second. */
  timeScale: number;
  startAt?: number;
  ids?: IdSource;
  /** Failed Request Tracing rule for every host; default: every 5xx. */
  freb?: FrebRule;
  /** httpErrors/@errorMode on every host; default DetailedLocalOnly (the lab's clients are local). */
  errorMode?: ErrorMode;
  /**
   * Deterministic mode for fixtures: nominal time moves only with timers, ids come from the seed,
   * and every party has a modelled address, so the same scenario and seed give the same files.
   */
  deterministic?: { seed: number };
  /** The Windows Server version every host claims; default 2019. */
  windows?: WindowsVersion;
  /** Keep every log record in memory (default, for a scenario's checks) or only count them (load, long-running labs). */
  retainRecords?: boolean;
  driver?: HostDriver;
}

export { CONTROLLER_NAME };
const CLIENT_NAME = 'client';

/**
 * Modelled IPs of deterministic runs, after DOC-502's capture: the client is 192.168.0.204, ARR
 * 192.168.0.210, the members 192.168.0.216 onwards in declaration order.
 */
function modelledIp(name: string, members: string[]): string {
  if (name === CLIENT_NAME) return '192.168.0.204';
  if (name === CONTROLLER_NAME) return '192.168.0.210';
  return `192.168.0.${216 + members.indexOf(name)}`;
}

/**
 * A running lab: one ARR controller in front of its farm members, all on loopback, all waiting
 * on one clock. Stopping it closes every socket, timer and file it opened.
 */
export class Lab {
  private stopped = false;

  private constructor(
    readonly clock: LabClock,
    readonly controller: ControllerHandle,
    readonly members: ReadonlyMap<string, MemberHandle>,
    private readonly resolver: LabResolver,
    private readonly driver: HostDriver,
    /** Deterministic runs: the modelled address book and the scenario client's modelled IP. */
    readonly addresses: { book: AddressBook; clientIp: string } | undefined = undefined,
  ) {}

  static async start(topology: Topology, options: LabOptions): Promise<Lab> {
    // Everything is validated before the first host starts: a bad topology never starts a lab.
    const farm = farmSchema.parse({ ...topology.farm, servers: topology.farm?.servers ?? topology.members.map((m) => ({ address: m.name })) });
    resolverSchema.parse(topology.resolver);
    const httpSys = new Map<string, HttpSysSettings>([[CONTROLLER_NAME, httpSysSchema.parse(topology.controller?.httpSys ?? {})]]);
    for (const m of topology.members) httpSys.set(m.name, httpSysSchema.parse(m.httpSys ?? {}));
    const pools = new Map(topology.members.map((m) => [m.name, nonPagedPoolSchema.parse(m.nonPagedPool ?? {})]));
    const names = new Set<string>([CONTROLLER_NAME]);
    for (const m of topology.members) {
      if (names.has(m.name)) throw new Error(`duplicate host name "${m.name}"`);
      names.add(m.name);
    }
    const deterministic = options.deterministic;
    const clock = new LabClock({ scale: options.timeScale, startAt: options.startAt, frozen: deterministic !== undefined });
    const book = deterministic ? new AddressBook() : undefined;
    const ipOf = (name: string) => modelledIp(name, topology.members.map((m) => m.name));
    const driver = options.driver ?? inProcessDriver;
    const directory = new LabResolver(clock);
    directory.setScript(topology.resolver);
    const ids = options.ids ?? (deterministic ? seededIds(deterministic.seed) : randomIds);
    const freb = options.freb ?? DEFAULT_FREB_RULE;
    const context = (name: string) => ({
      root: join(options.root, name), clock, ids, directory, freb, errorMode: options.errorMode, windows: options.windows, addresses: book ? { book, ip: ipOf(name) } : undefined,
      timeTaken: deterministic ? seededTimeTaken(deterministic.seed) : undefined,
      httpSys: httpSys.get(name),
      nonPagedPool: pools.get(name),
      retainRecords: options.retainRecords,
    });
    const members = new Map<string, MemberHandle>();
    const started: HostHandle[] = [];
    try {
      for (const m of topology.members) {
        const member = await driver.startMember({ kind: 'member', name: m.name, script: m.script ?? [], offline: m.offline ?? false }, context(m.name));
        members.set(m.name, member);
        started.push(member);
      }
      const controller = await driver.startController({ kind: 'controller', name: CONTROLLER_NAME, farm }, context(CONTROLLER_NAME));
      return new Lab(clock, controller, members, directory, driver, book ? { book, clientIp: ipOf(CLIENT_NAME) } : undefined);
    } catch (err) {
      await Promise.allSettled(started.map((h) => h.stop()));
      await driver.dispose?.();
      clock.dispose();
      throw err;
    }
  }

  get hosts(): HostHandle[] {
    return [this.controller, ...this.members.values()];
  }

  member(name: string): MemberHandle {
    const m = this.members.get(name);
    if (!m) throw new Error(`no member "${name}" in this lab (members: ${[...this.members.keys()].join(', ')})`);
    return m;
  }

  /** A host by name: the controller (`arr`) or a member. */
  host(name: string): HostHandle {
    return name === CONTROLLER_NAME ? this.controller : this.member(name);
  }

  /** Replaces the lab DNS's script while the lab runs; lookups already waiting keep the old answer. */
  setResolver(script: ResolverScript): void {
    this.resolver.setScript(script);
  }

  /** The controller URL for a path, as a client would type it. */
  url(path = '/'): string {
    const { host, port } = this.controller.endpoint;
    return `http://${host}:${port}${path}`;
  }

  /** Resolves when no host has a request in its pipeline. */
  async settle(): Promise<void> {
    const caller = this.clock.timeline();
    await (caller ? caller.during(this.quiet()) : this.quiet());
  }

  /**
   * The last settle of a run: the lab settles, and its nominal time ends once every host has logged
   * every request it took (timers a request still needs fire; none after that).
   */
  async finish(): Promise<void> {
    this.clock.haltWhen(() => this.logsComplete());
    await this.settle();
    this.clock.halt();
  }

  private async quiet(): Promise<void> {
    for (;;) {
      // A host a real fault keeps out of reach cannot settle until it is healed.
      await Promise.all(this.hosts.filter((h) => h.reachable !== false).map((h) => h.idle()));
      // A member can receive a request while the controller goes idle; look again until quiet.
      await new Promise((r) => setImmediate(r));
      if (this.logsComplete()) return;
    }
  }

  private logsComplete(): boolean {
    return this.hosts.filter((h) => h.reachable !== false).every((h) => h.accepted - (h.lost ?? 0) === h.logged);
  }

  /** Undoes every real fault still applied (container runtime), so the lab can settle. */
  async healFaults(): Promise<void> {
    for (const m of this.members.values()) await m.heal?.();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.controller.stop();
    try {
      await Promise.all([...this.members.values()].map((m) => m.stop()));
    } finally {
      await this.driver.dispose?.();
    }
    this.clock.dispose();
  }
}
