import { join } from 'node:path';
import { AddressBook } from '../core/address-book.ts';
import { seededTimeTaken } from './jitter.ts';
import { LabClock } from '../core/clock.ts';
import { randomIds, seededIds, type IdSource } from '../core/ids.ts';
import { DEFAULT_FREB_RULE, type FrebRule } from '../iis/freb/freb-log.ts';
import type { ErrorMode } from '../iis/detailed-error-page.ts';
import type { WindowsVersion } from '../iis/windows-versions.ts';
import { LabResolver, resolverSchema, type ResolverScript } from '../proxy/lab-resolver.ts';
import type { HttpSysSettings } from '../iis/http-sys/settings.ts';
import type { NonPagedPoolSettings } from '../iis/http-sys/nonpaged-pool.ts';
import type { ControllerHandle, HostDriver, HostHandle, MemberHandle } from './host-driver.ts';
import { inProcessDriver } from './in-process-driver.ts';
import { CONTROLLER_NAME } from './controller-name.ts';
import { parseTopology, type Topology, type TopologyInput } from './topology.ts';

export { CONTROLLER_NAME };
export { type MemberTopologyInput, type Topology, type TopologyInput } from './topology.ts';

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

  /**
   * Starts the lab a topology describes. A hand-written topology is parsed here, once, before the
   * first host starts (a bad one never starts a lab); a parsed one (a scenario's) runs unchanged.
   */
  static async start(input: TopologyInput | Topology, options: LabOptions): Promise<Lab> {
    const topology = parseTopology(input);
    const deterministic = options.deterministic;
    const clock = new LabClock({ scale: options.timeScale, startAt: options.startAt, frozen: deterministic !== undefined });
    const book = deterministic ? new AddressBook() : undefined;
    const ipOf = (name: string) => modelledIp(name, topology.members.map((m) => m.name));
    const driver = options.driver ?? inProcessDriver;
    const directory = new LabResolver(clock);
    directory.setScript(topology.resolver);
    const ids = options.ids ?? (deterministic ? seededIds(deterministic.seed) : randomIds);
    const freb = options.freb ?? DEFAULT_FREB_RULE;
    const context = (name: string, limits: { httpSys: HttpSysSettings; nonPagedPool?: NonPagedPoolSettings }) => ({
      root: join(options.root, name), clock, ids, directory, freb, errorMode: options.errorMode, windows: options.windows, addresses: book ? { book, ip: ipOf(name) } : undefined,
      timeTaken: deterministic ? seededTimeTaken(deterministic.seed) : undefined,
      httpSys: limits.httpSys,
      nonPagedPool: limits.nonPagedPool,
      retainRecords: options.retainRecords,
    });
    const members = new Map<string, MemberHandle>();
    const started: HostHandle[] = [];
    try {
      for (const m of topology.members) {
        const member = await driver.startMember({ kind: 'member', name: m.name, script: m.script, offline: m.offline }, context(m.name, m));
        members.set(m.name, member);
        started.push(member);
      }
      const controller = await driver.startController({ kind: 'controller', name: CONTROLLER_NAME, farm: topology.farm }, context(CONTROLLER_NAME, topology.controller));
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

  /** Replaces the lab DNS's script while the lab runs (a bad one throws and the old one stays); lookups already waiting keep the old answer. */
  setResolver(script: ResolverScript): void {
    this.resolver.setScript(resolverSchema.parse(script));
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
