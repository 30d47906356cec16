import { mkdir } from 'node:fs/promises';
import { z } from 'zod';
import { scriptSchema } from '../backends/script.ts';
import { WINDOWS_VERSIONS, DEFAULT_WINDOWS, type WindowsVersion } from '../iis/windows-versions.ts';
import { LabClient, type ClientResult } from '../lab/client.ts';
import { Lab } from '../lab/lab.ts';
import { parseTopology, type Topology, type TopologyInput } from '../lab/topology.ts';
import type { ExpectFact } from '../lab/decode/catalog-facts.ts';
import { actionSchema, memberStates, namedHosts, namesMember, performAction } from '../lab/scenario/action-step.ts';
import type { Offline } from '../lab/host-driver.ts';
import type { FrebRule } from '../iis/freb/freb-log.ts';
import { phaseTimeouts } from '../proxy/farm-config.ts';
import { ApiError } from './api-error.ts';
import { artifactsOf, type Artifacts } from './artifacts.ts';
import { explain, type Explanation } from './explain.ts';
import { RequestRing, summarize, type RequestSummary } from './request-ring.ts';
import { timelineOf, type Timeline } from './timeline.ts';

export interface LiveLabOptions {
  /** Where the hosts write their artifacts (the same layout as `run --out`). */
  root: string;
  timeScale: number;
  /** How many requests the dashboard can look back on. */
  ringSize?: number;
  windows?: WindowsVersion;
  freb?: FrebRule;
  /** Facts from the catalog for the decode text of explanations. */
  facts?: readonly ExpectFact[];
}

export const sendSchema = z
  .object({
    method: z.string().regex(/^[A-Z]+$/).default('GET'),
    path: z.string().startsWith('/').default('/'),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.string().optional(),
    /** Named client (its own cookies, as a browser keeps them). */
    as: z.string().min(1).default('dashboard'),
  })
  .strict();

export interface MemberView {
  name: string;
  offline: Offline;
  /** The member's script as last set, as written (plain data, as in a scenario). */
  script: readonly unknown[];
  accepted: number;
  logged: number;
}

export interface RequestDetail {
  request: RequestSummary;
  timeline: Timeline;
  artifacts: Artifacts;
  explanation: Explanation;
}

/**
 * A lab that keeps running: the scenario runner's Lab, with the request ring the dashboard reads,
 * a client for requests sent from the dashboard, and every change applied as a scenario action so
 * the API, the dashboard and an exercise's YAML all change the lab the same way.
 */
export class LiveLab {
  readonly ring: RequestRing;
  private readonly client: LabClient;
  private readonly memberState = new Map<string, { offline: Offline; script: readonly unknown[] }>();
  private readonly unsubscribe: (() => void)[] = [];
  private sent = 0;
  /** Every change and request made through the API, as scenario steps, for `GET /api/scenario.yaml`. */
  readonly journal: Record<string, unknown>[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly variant;

  private constructor(
    readonly lab: Lab,
    readonly topology: Topology,
    readonly options: LiveLabOptions,
  ) {
    this.ring = new RequestRing(options.ringSize ?? 2000);
    this.client = new LabClient(lab);
    this.variant = WINDOWS_VERSIONS[options.windows ?? DEFAULT_WINDOWS].httperrVariant;
    for (const m of topology.members) this.memberState.set(m.name, { offline: m.offline, script: m.script.written });
    const controller = lab.controller;
    this.unsubscribe.push(controller.onRecord((r) => this.ring.controllerLogged(r, phaseTimeouts(controller.farmConfig))));
    for (const [name, member] of lab.members) this.unsubscribe.push(member.onRecord((r) => this.ring.memberLogged(name, r)));
  }

  static async start(input: TopologyInput | Topology, options: LiveLabOptions): Promise<LiveLab> {
    const topology = parseTopology(input);
    await mkdir(options.root, { recursive: true });
    // Records are not retained: the ring keeps the last N, the files keep everything.
    const lab = await Lab.start(topology, { root: options.root, timeScale: options.timeScale, retainRecords: false, windows: options.windows, freb: options.freb });
    return new LiveLab(lab, topology, options);
  }

  get memberNames(): string[] {
    return [...this.lab.members.keys()];
  }

  members(): MemberView[] {
    return [...this.lab.members.values()].map((m) => ({ name: m.name, ...this.memberState.get(m.name)!, accepted: m.accepted, logged: m.logged }));
  }

  /** The farm as IIS Manager's Monitoring and Management page shows it, with the lab's members. */
  farm() {
    const c = this.lab.controller.farmConfig;
    const hc = c.healthCheck;
    return {
      name: c.name,
      now: this.lab.clock.now(),
      timeScale: this.options.timeScale,
      arr: this.lab.url('/'),
      settings: {
        algorithm: c.loadBalancing.algorithm,
        affinity: { useCookie: c.affinity.useCookie, cookieName: c.affinity.cookieName },
        healthCheck: {
          url: hc.url ?? null, interval: hc.interval, timeout: hc.timeout, statusCodeMatch: hc.statusCodeMatch,
          liveTrafficFailureCodes: hc.liveTrafficFailureCodes, maxLiveTrafficFailures: hc.maxLiveTrafficFailures, minServers: hc.minServers,
        },
        protocol: { timeout: c.protocol.timeout, keepAlive: c.protocol.keepAlive },
        timeouts: phaseTimeouts(c),
      },
      servers: this.lab.controller.servers(),
      members: this.members(),
      events: this.lab.controller.events().length,
    };
  }

  /** `PUT /api/members/{name}/script`: the same schema as a scenario member's script. */
  async setScript(name: string, script: unknown): Promise<void> {
    this.mustBeMember(name);
    const parsed = scriptSchema.safeParse(script);
    if (!parsed.success) throw ApiError.invalid(parsed.error, ['script']);
    await this.lab.member(name).setScript(parsed.data);
    this.memberState.get(name)!.script = parsed.data.written;
    this.journal.push({ script: { [name]: script } });
  }

  /** `POST /api/actions`: any scenario action step, validated by the scenario schema. */
  async act(raw: unknown): Promise<void> {
    const parsed = actionSchema.safeParse(raw);
    if (!parsed.success) throw ApiError.invalid(parsed.error);
    const action = parsed.data;
    this.checkNames(raw as Record<string, unknown>);
    // Expectation steps check; in a live lab their result is the answer.
    const failed = (await performAction(this.lab, action, { step: 'api', tolerance: 1000 })).filter((c) => !c.pass);
    if (failed.length > 0) throw new ApiError(409, failed.map((c) => `${c.subject} ${c.field}: expected ${c.expected}, is ${c.actual}`).join('; '));
    this.journal.push(raw as Record<string, unknown>);
    for (const [name, state] of Object.entries(memberStates(action))) Object.assign(this.memberState.get(name)!, state);
  }

  /** Sends one request through ARR as the dashboard's browser would, and keeps what came back. */
  async send(raw: unknown): Promise<ClientResult> {
    const parsed = sendSchema.safeParse(raw ?? {});
    if (!parsed.success) throw ApiError.invalid(parsed.error);
    const r = parsed.data;
    this.journal.push({ method: r.method, path: r.path, ...(Object.keys(r.headers).length ? { headers: r.headers } : {}), ...(r.body !== undefined ? { body: r.body } : {}), as: r.as });
    const sending = this.client.send(`live-${++this.sent}`, { method: r.method, path: r.path, headers: r.headers, body: r.body }, r.as);
    this.inFlight.add(sending);
    try {
      const result = await sending;
      this.ring.clientDone(result);
      return result;
    } finally {
      this.inFlight.delete(sending);
    }
  }

  async detail(id: number): Promise<RequestDetail | undefined> {
    const r = this.ring.get(id);
    if (!r) return undefined;
    for (const h of this.lab.hosts) h.flush();
    return {
      request: summarize(r),
      timeline: timelineOf(r),
      artifacts: await artifactsOf(r, this.lab.hosts, this.options.root, this.variant),
      explanation: explain(r, this.options.facts ?? []),
    };
  }

  /** Stops the lab: the dashboard's requests in flight end first, then every host closes its files. */
  async stop(): Promise<void> {
    for (const u of this.unsubscribe) u();
    await this.client.close();
    await Promise.allSettled([...this.inFlight]);
    await this.lab.stop();
  }

  private mustBeMember(name: string): void {
    if (!this.lab.members.has(name)) throw new ApiError(404, `no member "${name}" (members: ${this.memberNames.join(', ')})`);
  }

  /** Unknown members, hosts and servers are 404s, as for the member routes, before anything changes. */
  private checkNames(step: Record<string, unknown>): void {
    const servers = this.lab.controller.servers().map((s) => s.address.toLowerCase());
    for (const host of namedHosts(step)) {
      if (namesMember(host)) this.mustBeMember(host.name);
      if (host.kind === 'server' && !servers.includes(host.name.toLowerCase())) throw new ApiError(404, `no server "${host.name}" in the farm (servers: ${servers.join(', ')})`);
    }
  }
}
