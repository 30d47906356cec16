import { z } from 'zod';
import { InputError } from '../core/input-error.ts';
import { scriptSchema, type Script } from '../backends/script.ts';
import { httpSysSchema, type HttpSysSettings } from '../iis/http-sys/settings.ts';
import { nonPagedPoolSchema, type NonPagedPoolSettings } from '../iis/http-sys/nonpaged-pool.ts';
import { farmSchema, serverSchema, type FarmConfig } from '../proxy/farm-config.ts';
import { resolverSchema, type ResolverEntries } from '../proxy/lab-resolver.ts';
import { CONTROLLER_NAME } from './controller-name.ts';

/**
 * The lab a caller asks for: the farm, its members and the lab DNS. Written by hand (tests, `.ts`
 * scenarios, the live server's teaching farm) it is a {@link TopologyInput}; parsed once, it is a
 * {@link Topology} whose settings are the typed values the hosts run with. Parsed values are not
 * valid input (a timeSpan of `00:00:30` is 30000 ms once parsed, and 30000 as input means seconds),
 * so nothing below the boundary where a topology is parsed parses it again.
 */

const memberTopologySchema = z
  .object({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,62}$/, 'a host name: letters, digits and -'),
    /**
     * `true`: nothing listens on the member's port, connections are refused (RST);
     * `silent`: the port never answers a SYN, as when the host is down (lab/silent-port.ts).
     */
    offline: z.union([z.boolean(), z.literal('silent')], { error: 'use true (refused), false or silent (SYNs unanswered)' }).default(false),
    /** The member's page: rules of behaviours (backends/script.ts). */
    script: scriptSchema.prefault([]),
    /** The member's http.sys and app-pool limits (queue, worker threads, connections, timers). */
    httpSys: httpSysSchema.prefault({}),
    /** The member's modelled nonpaged pool (Connections_Refused below 20 MB free). */
    nonPagedPool: nonPagedPoolSchema.prefault({}),
  })
  .strict();

/** The parts of a topology, as keys of a scenario too (lab/scenario/schema.ts). */
export const topologyShape = {
  /** Farm settings; servers default to one per member, addressed by member name. */
  farm: farmSchema.prefault({}),
  members: z.array(memberTopologySchema).min(1),
  /** The ARR controller's own http.sys and app-pool limits. */
  controller: z.object({ httpSys: httpSysSchema.prefault({}) }).strict().prefault({}),
  /** The lab DNS: per name an answer, a delay or a failure, e.g. `{member1: {delay: 20s}, ghost: nxdomain}`. */
  resolver: resolverSchema,
};

/**
 * Issues with the members' names: each names one host, and `arr` is the controller's. Reads the
 * members as far as they are valid, so it can run beside the other checks and report with them.
 */
export function memberNameIssues(members: unknown, ctx: z.RefinementCtx): void {
  const named = (Array.isArray(members) ? members : []).map((m: { name?: unknown } | undefined) => m?.name);
  named.forEach((name, i) => {
    if (typeof name !== 'string') return;
    if (named.indexOf(name) !== i) ctx.addIssue({ code: 'custom', message: `duplicate member name "${name}"`, path: ['members', i, 'name'] });
    if (name === CONTROLLER_NAME) ctx.addIssue({ code: 'custom', message: `"${CONTROLLER_NAME}" is the controller's name`, path: ['members', i, 'name'] });
  });
}

const topologySchema = z
  .object(topologyShape)
  .strict()
  .superRefine((t, ctx) => memberNameIssues(t?.members, ctx), { when: () => true });

export type TopologyInput = z.input<typeof topologySchema>;
export type MemberTopologyInput = z.input<typeof memberTopologySchema>;
type TopologyParts = z.output<typeof topologySchema>;

export interface MemberTopology {
  name: string;
  offline: boolean | 'silent';
  script: Script;
  httpSys: HttpSysSettings;
  nonPagedPool: NonPagedPoolSettings;
}

const PARSED: unique symbol = Symbol('parsed topology');

/** A parsed topology: what `Lab.start` runs, unchanged, and what it was parsed from. */
export interface Topology {
  readonly [PARSED]: true;
  farm: FarmConfig;
  members: MemberTopology[];
  controller: { httpSys: HttpSysSettings };
  resolver: ResolverEntries;
  /** The topology as written, for what repeats it in the user's terms (a manifest, a recorded session). */
  written: TopologyInput;
}

function isTopology(value: TopologyInput | Topology): value is Topology {
  return (value as Partial<Topology>)[PARSED] === true;
}

/** A topology from parts already parsed (by the scenario schema, or by {@link parseTopology}). */
export function topologyFrom(parts: TopologyParts, written: TopologyInput): Topology {
  const farm = parts.farm.servers.length > 0 ? parts.farm : { ...parts.farm, servers: parts.members.map((m) => serverSchema.parse({ address: m.name })) };
  return { [PARSED]: true, ...parts, farm, written };
}

/** The one parse of a hand-written topology; a parsed one passes through unchanged. */
export function parseTopology(topology: TopologyInput | Topology): Topology {
  if (isTopology(topology)) return topology;
  const parsed = topologySchema.safeParse(topology);
  if (!parsed.success) throw new InputError(`invalid topology\n${parsed.error.issues.map((i) => `  ${i.path.join('.') || '(top level)'}: ${i.message}`).join('\n')}`);
  return topologyFrom(parsed.data, topology);
}
