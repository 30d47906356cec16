import { join } from 'node:path';
import { LabClock } from '../core/clock.ts';
import { randomIds, type IdSource } from '../core/ids.ts';
import { DEFAULT_FREB_RULE, type FrebRule } from '../iis/freb/freb-log.ts';
import { farmSchema, type FarmInput } from '../proxy/farm-config.ts';
import { StaticDirectory } from '../proxy/member-directory.ts';
import type { ControllerHandle, HostDriver, HostHandle, MemberHandle } from './host-driver.ts';
import { inProcessDriver } from './in-process-driver.ts';

export interface MemberTopology {
  name: string;
  /** Script data as in a scenario (see backends/script.ts). */
  script?: unknown;
  /** Nothing listens on the member's port. */
  offline?: boolean;
}

export interface Topology {
  /** Farm settings; servers default to one per member, addressed by member name. */
  farm?: FarmInput;
  members: MemberTopology[];
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
  driver?: HostDriver;
}

export const CONTROLLER_NAME = 'arr';

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
  ) {}

  static async start(topology: Topology, options: LabOptions): Promise<Lab> {
    // Everything is validated before the first host starts: a bad topology never starts a lab.
    const farm = farmSchema.parse({ ...topology.farm, servers: topology.farm?.servers ?? topology.members.map((m) => ({ address: m.name })) });
    const names = new Set<string>([CONTROLLER_NAME]);
    for (const m of topology.members) {
      if (names.has(m.name)) throw new Error(`duplicate host name "${m.name}"`);
      names.add(m.name);
    }
    const clock = new LabClock({ scale: options.timeScale, startAt: options.startAt });
    const driver = options.driver ?? inProcessDriver;
    const directory = new StaticDirectory();
    const ids = options.ids ?? randomIds;
    const freb = options.freb ?? DEFAULT_FREB_RULE;
    const context = (name: string) => ({ root: join(options.root, name), clock, ids, directory, freb });
    const members = new Map<string, MemberHandle>();
    const started: HostHandle[] = [];
    try {
      for (const m of topology.members) {
        const member = await driver.startMember({ kind: 'member', name: m.name, script: m.script ?? [], offline: m.offline ?? false }, context(m.name));
        members.set(m.name, member);
        started.push(member);
      }
      const controller = await driver.startController({ kind: 'controller', name: CONTROLLER_NAME, farm }, context(CONTROLLER_NAME));
      return new Lab(clock, controller, members);
    } catch (err) {
      await Promise.allSettled(started.map((h) => h.stop()));
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

  /** The controller URL for a path, as a client would type it. */
  url(path = '/'): string {
    const { host, port } = this.controller.endpoint;
    return `http://${host}:${port}${path}`;
  }

  /** Resolves when no host has a request in its pipeline. */
  async settle(): Promise<void> {
    for (;;) {
      await Promise.all(this.hosts.map((h) => h.idle()));
      // A member can receive a request while the controller goes idle; look again until quiet.
      await new Promise((r) => setImmediate(r));
      if (this.hosts.every((h) => h.accepted === h.records().length)) return;
    }
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.controller.stop();
    await Promise.all([...this.members.values()].map((m) => m.stop()));
    this.clock.dispose();
  }
}
