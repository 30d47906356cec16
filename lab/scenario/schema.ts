import { z } from 'zod';
import { filler } from '../../backends/body.ts';
import { durationSchema } from '../../core/duration-schema.ts';
import { parseStatusRanges } from '../../core/status-ranges.ts';
import { DEFAULT_WINDOWS, WINDOWS_NAMES, type WindowsVersion } from '../../iis/windows-versions.ts';
import { ERROR_MODES } from '../../iis/detailed-error-page.ts';
import { farmSchema, labSwitchesSchema } from '../../proxy/farm-config.ts';
import { memberNameIssues, topologyShape } from '../topology.ts';
import { loadSectionSchema } from '../load/section.ts';
import { diagnosisSchema, faultClassSchema } from '../diagnosis/taxonomy.ts';
import { actionSchema, CONTAINER_ACTIONS, namedHosts, namesMember, type ScenarioAction } from './action-step.ts';
import { measureSchema } from './measure.ts';

/**
 * The scenario schema, shared by YAML files and TypeScript modules (`defineScenario`). A scenario
 * declares a farm, its members and their scripts, the requests to send, and what the client, the
 * proxy's logs and each member's logs must show for each request.
 */

const scalar = z.union([z.string(), z.number()]);

export const w3cExpectSchema = z
  .object({
    'cs-method': z.string(),
    'cs-uri-stem': z.string(),
    'cs-uri-query': z.string(),
    'cs(User-Agent)': z.string(),
    'sc-status': z.number().int(),
    'sc-substatus': z.number().int(),
    'sc-win32-status': z.number().int(),
    'time-taken': measureSchema,
  })
  .partial()
  .strict();

export const httperrExpectSchema = z
  .object({
    'cs-method': z.string(),
    'cs-uri': z.string(),
    'sc-status': scalar,
    's-siteid': scalar,
    's-reason': z.string(),
    's-queuename': z.string(),
  })
  .partial()
  .strict();

/** What a host's logs must show for a request: a W3SVC line, an HTTPERR line, or nothing at all. */
export const hostExpectSchema = z.union([
  z.literal('none'),
  z.object({ w3c: w3cExpectSchema }).strict(),
  z.object({ httperr: httperrExpectSchema }).strict(),
]);
export type HostExpect = z.output<typeof hostExpectSchema>;

export const clientExpectSchema = z
  .object({
    status: z.number().int(),
    substatus: z.number().int(),
    /** The detailed error page's Error Code line, e.g. `0x80072ee2`. */
    errorCode: z.string().regex(/^0x[0-9a-f]{8}$/, 'lowercase hex with 0x and 8 digits, as the page shows it'),
    /** The page's description line (the WinHTTP message for ARR). */
    description: z.string(),
    /** A substring the body must contain. */
    bodyIncludes: z.string(),
    /** The client's own network error instead of a response (e.g. `UND_ERR_SOCKET`). */
    networkError: z.string(),
    header: z.record(z.string(), z.string()),
  })
  .partial()
  .strict();

export const expectSchema = z
  .object({
    client: clientExpectSchema.optional(),
    proxy: hostExpectSchema.optional(),
    members: z.record(z.string(), hostExpectSchema).optional(),
  })
  .strict();
export type RequestExpect = z.output<typeof expectSchema>;

export const requestSchema = z
  .object({
    method: z.string().regex(/^[A-Z]+$/).default('GET'),
    path: z.string().startsWith('/'),
    headers: z.record(z.string(), z.string()).default({}),
    body: z.string().optional(),
    /** Sends the request this many times; the expectations hold for each. */
    repeat: z.number().int().min(1).max(10_000).default(1),
    /** How many of the repeats are in flight at once. */
    concurrency: z.number().int().min(1).max(1000).default(1),
    expect: expectSchema.default({}),
    /**
     * Do not wait for the response: the next step starts as soon as the request has reached a
     * member (or has failed before reaching one). Its checks are made when the scenario ends.
     */
    background: z.boolean().default(false),
    /** Which client sends it: each named client keeps its own cookies (affinity), as a browser does. */
    as: z.string().min(1).default('client'),
    /** A body of this many filler bytes instead of `body` (several MB fill the socket buffers). */
    bodyBytes: z.number().int().min(1).max(64 * 1024 * 1024).optional(),
    /**
     * The fault class of this request when it fails, for a scenario with several faults; default:
     * the scenario's diagnosis class (a request that succeeds is labelled healthy).
     */
    faultClass: faultClassSchema.optional(),
  })
  .strict()
  .refine((r) => r.body === undefined || r.bodyBytes === undefined, { message: 'give body or bodyBytes, not both', path: ['bodyBytes'] });
export type ScenarioRequest = z.output<typeof requestSchema>;

/** The body to send, made when it is sent: a catalog that is only read never builds `bodyBytes` of filler. */
export function requestBody(r: Pick<ScenarioRequest, 'body' | 'bodyBytes'>): string | Buffer | undefined {
  return r.bodyBytes === undefined ? r.body : filler(r.bodyBytes);
}

export type ScenarioStep = { kind: 'request'; request: ScenarioRequest } | { kind: 'action'; action: ScenarioAction };

/** A request (it has a `path`) or an action, with the issues of whichever it is. */
const stepSchema = z.record(z.string(), z.unknown()).transform((raw, ctx): ScenarioStep => {
  const isRequest = 'path' in raw;
  const parsed = isRequest ? requestSchema.safeParse(raw) : actionSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path.map((p) => p as string | number) });
    return z.NEVER;
  }
  return isRequest ? { kind: 'request', request: parsed.data as ScenarioRequest } : { kind: 'action', action: parsed.data as ScenarioAction };
});

export const scenarioSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and -'),
    description: z.string().min(1),
    suites: z.array(z.string().regex(/^[a-z0-9-]+$/)).min(1),
    /** Where the behaviour comes from: a reference section, a support case... */
    reference: z.string().optional(),
    /** The Windows Server every host claims: IIS version, build, HTTPERR fields (2012r2, 2016, 2019, 2022). */
    windows: z.enum(WINDOWS_NAMES as [WindowsVersion, ...WindowsVersion[]]).default(DEFAULT_WINDOWS),
    /** What a support engineer should conclude from the artifacts: the fixtures' ground truth (lab/diagnosis/taxonomy.ts). */
    diagnosis: diagnosisSchema.optional(),
    /** Default tolerance, in nominal ms, for `~N` time expectations. */
    timeTolerance: z.number().min(0).default(1000),
    farm: topologyShape.farm,
    controller: topologyShape.controller,
    /** Failed Request Tracing rule on every host (`failureDefinitions`); default: every 5xx. */
    tracing: z
      .object({
        statusCodes: z.string().default('500-999').superRefine((text, ctx) => {
          const parsed = parseStatusRanges(text);
          if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
        }),
        timeTaken: durationSchema.optional(),
        maxLogFiles: z.number().int().min(1).max(10000).default(50),
      })
      .strict()
      .prefault({}),
    /** httpErrors/@errorMode on every host: the lab's clients are local, so `Custom` shows what a remote client sees. */
    errorMode: z.enum(ERROR_MODES).default('DetailedLocalOnly'),
    members: topologyShape.members,
    /**
     * Where the members run: `in-process` (objects in the lab's process, the precise model) or
     * `containers` (each its own container; real faults). `arr-lab run --runtime` overrides it.
     */
    runtime: z.enum(['in-process', 'containers']).default('in-process'),
    /**
     * The smallest time scale the scenario may run at. Waits that cross processes, and real
     * faults that race the kernel's own timers, need scaled gaps far above the wall jitter.
     */
    minTimeScale: z.number().positive().max(1).optional(),
    resolver: topologyShape.resolver,
    /** Requests and actions, run in order. */
    requests: z.array(stepSchema).min(1),
    /** A load run instead of a request sequence: autocannon repeats the one request (lab/load/). */
    load: loadSectionSchema.optional(),
  })
  .strict()
  // Runs even when other parts are invalid, so every mistake is reported in one go; the parts it
  // reads may therefore be missing.
  .superRefine(
    (s, ctx) => {
      memberNameIssues(s?.members, ctx);
      const names = new Set((Array.isArray(s?.members) ? s.members : []).map((m) => m?.name));
      const steps = Array.isArray(s?.requests) ? s.requests : [];
      if (steps.length > 0 && steps.every((step) => step?.kind === 'action')) {
        ctx.addIssue({ code: 'custom', message: 'a scenario sends at least one request', path: ['requests'] });
      }
      if (s?.load && (steps.length !== 1 || steps[0]?.kind !== 'request' || Object.keys(steps[0].request.expect ?? {}).length > 0)) {
        ctx.addIssue({ code: 'custom', message: 'a load scenario has one request, without expect: the template autocannon repeats (expectations go under load.expect)', path: ['requests'] });
      }
      if (s?.runtime !== 'containers' && steps.some((step) => step?.kind === 'action' && CONTAINER_ACTIONS.includes(step.action.key))) {
        ctx.addIssue({ code: 'custom', message: `${CONTAINER_ACTIONS.join(' and ')} steps act on containers: add runtime: containers`, path: ['runtime'] });
      }
      for (const name of Object.keys(s?.load?.expect?.members ?? {})) {
        if (!names.has(name)) ctx.addIssue({ code: 'custom', message: `no member named "${name}"`, path: ['load', 'expect', 'members', name] });
      }
      // The farm's servers are one per member unless listed (lab/lab.ts); addresses compare as IIS does, ignoring case.
      const listed = Array.isArray(s?.farm?.servers) && s.farm.servers.length > 0 ? s.farm.servers.map((server) => server.address) : [...names];
      const servers = new Set(listed.map((address) => address.toLowerCase()));
      steps.forEach((step, i) => {
        if (step?.kind !== 'action') return;
        for (const named of namedHosts({ [step.action.key]: step.action.value })) {
          if (named.kind === 'server' && !servers.has(named.name.toLowerCase())) {
            ctx.addIssue({ code: 'custom', message: `no server "${named.name}" in the farm (servers: ${listed.join(', ')})`, path: ['requests', i, ...named.path] });
          }
        }
      });
    },
    { when: () => true },
  );

/**
 * Member names that steps refer to but the scenario does not declare. Read from the scenario as
 * written, so a reference is reported even when the step around it has other mistakes.
 */
export function unknownMemberReferences(raw: unknown): { path: (string | number)[]; message: string }[] {
  const r = raw as { members?: unknown; requests?: unknown } | null;
  if (!r || !Array.isArray(r.members) || !Array.isArray(r.requests)) return [];
  const names = new Set(r.members.map((m) => (m as { name?: unknown })?.name).filter((n): n is string => typeof n === 'string'));
  const out: { path: (string | number)[]; message: string }[] = [];
  r.requests.forEach((step: unknown, i: number) => {
    if (!step || typeof step !== 'object') return;
    const st = step as Record<string, unknown>;
    const refs: (string | number)[][] = [];
    const expectMembers = (st.expect as { members?: unknown } | undefined)?.members;
    if (expectMembers && typeof expectMembers === 'object') refs.push(...Object.keys(expectMembers).map((n) => ['expect', 'members', n]));
    // A farm server's address need not be a member's name: the farm answers for those when the step runs.
    refs.push(...namedHosts(st).filter(namesMember).map((named) => named.path));
    for (const path of refs) {
      const name = String(path[path.length - 1]);
      if (!names.has(name)) out.push({ path: ['requests', i, ...path], message: `no member named "${name}"` });
    }
  });
  return out;
}

export type Scenario = z.output<typeof scenarioSchema>;
/**
 * A farm read from applicationHost.config (docs/reference.md §1) instead of written out: a file, relative
 * to the scenario (`applicationHost: ./farm.config`), or the XML itself (`applicationHostXml: |`),
 * the farm to take when it has several, and lab switches. The loader (lab/scenario/farm-xml.ts)
 * turns it into the farm before the scenario is validated, so `Scenario.farm` is always a farm.
 */
export const farmXmlSourceSchema = z
  .object({
    applicationHost: z.string().min(1),
    applicationHostXml: z.string().min(1),
    farmName: z.string().min(1),
    lab: labSwitchesSchema,
  })
  .partial()
  .strict()
  .refine((f) => (f.applicationHost === undefined) !== (f.applicationHostXml === undefined), 'give either applicationHost (a file) or applicationHostXml (the XML), not both');
export type FarmXmlSource = z.input<typeof farmXmlSourceSchema>;

export function isFarmXmlSource(farm: unknown): boolean {
  return typeof farm === 'object' && farm !== null && ('applicationHost' in farm || 'applicationHostXml' in farm);
}

export type ScenarioInput = Omit<z.input<typeof scenarioSchema>, 'farm'> & { farm?: z.input<typeof farmSchema> | FarmXmlSource };

/** For scenarios written in TypeScript: `export default defineScenario({...})`. */
export function defineScenario(input: ScenarioInput): ScenarioInput {
  return input;
}

