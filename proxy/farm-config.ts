import { z } from 'zod';
import { timeSpanSchema } from '../core/duration-schema.ts';
import { formatTimeSpan } from '../core/duration.ts';
import { parseStatusRanges } from '../core/status-ranges.ts';

/**
 * A web farm as ARR configures it (docs/reference.md §1). Attribute names and defaults are those of
 * applicationHost.config's `webFarms` section, so a farm written here reads like the XML and the
 * XML loader maps onto it one to one. timeSpan values are held in nominal milliseconds.
 *
 * Settings that are not IIS attributes but switches for what the reference leaves undocumented
 * live under `lab`, so they can never be mistaken for configuration a real ARR would accept.
 */
const seconds = (s: number) => s * 1000;

/**
 * timeSpan ranges of the ARR schema, in seconds (§1.5–1.8 [V SCHEMA-ARR]), keyed by the setting's
 * path. One table for both ways of writing a farm: a value IIS would refuse in applicationHost.config
 * is refused inline too.
 */
export const TIMESPAN_RANGES: Readonly<Record<string, { min: number; max: number; step?: number }>> = {
  'protocol/@timeout': { min: 1, max: 86400 },
  'healthCheck/@interval': { min: 0, max: 86400 },
  'healthCheck/@timeout': { min: 1, max: 86400 },
  'healthCheck/@liveTrafficFailurePeriod': { min: 0, max: 86400 },
  'affinity/@timeout': { min: 60, max: 2592000, step: 60 },
  'loadBalancing/@leastResponseTimePeriod': { min: 1, max: 86400 },
};

/** Why IIS would refuse `ms` for the setting at `path`, or undefined when it is in range. */
export function timeSpanRangeProblem(path: string, ms: number): string | undefined {
  const range = TIMESPAN_RANGES[path];
  const s = ms / 1000;
  if (!range || (s >= range.min && s <= range.max && (!range.step || s % range.step === 0))) return undefined;
  const step = range.step ? ` in steps of ${range.step} s` : '';
  return `out of range: ${formatTimeSpan(range.min * 1000)} to ${formatTimeSpan(range.max * 1000)}${step}`;
}

/** Checks a section's timeSpan settings against TIMESPAN_RANGES. */
function inRanges(section: string) {
  return (value: Record<string, unknown>, ctx: z.RefinementCtx) => {
    for (const [key, v] of Object.entries(value)) {
      const problem = typeof v === 'number' ? timeSpanRangeProblem(`${section}/@${key}`, v) : undefined;
      if (problem) ctx.addIssue({ code: 'custom', path: [key], message: problem });
    }
  };
}

export const protocolSchema = z
  .object({
    httpVersion: z.enum(['Http10', 'Http11', 'PassThrough']).default('PassThrough'),
    keepAlive: z.boolean().default(true),
    timeout: timeSpanSchema.default(seconds(30)),
    preserveHostHeader: z.boolean().default(true),
    alternateHostName: z.string().optional(),
    reverseRewriteHostInResponseHeaders: z.boolean().default(false),
    xForwardedByHeaderName: z.string().default('X-Forwarded-By'),
    xForwardedByHeader: z.string().optional(),
    xForwardedForHeaderName: z.string().default('X-Forwarded-For'),
    includePortInXForwardedFor: z.boolean().default(true),
    arrResponseHeader: z.boolean().default(true),
    sslHeaderName: z.string().default('X-ARR-SSL'),
    clientCertHeaderName: z.string().default('X-ARR-ClientCert'),
    logGuidName: z.string().default('X-ARR-LOG-ID'),
    logCacheHitName: z.string().default('X-ARR-CACHE-HIT'),
    maxForwards: z.number().int().min(0).default(10),
    /** KB of buffer for the member's response (UI "Response buffer"). */
    minResponseBuffer: z.number().int().min(0).max(4194303).default(256),
    /** KB ARR retains before it sends to the client (UI "Response buffer threshold"). */
    responseBufferLimit: z.number().int().min(0).max(4194303).default(4096),
    maxResponseHeaderSize: z.number().int().min(1).default(65536),
    proxy: z.string().optional(),
    proxyBypass: z.string().optional(),
    stealthMode: z.boolean().default(false),
    bufferChunkedResponses: z.boolean().default(true),
    // Added with the applicationHost.config loader: the client certificate ARR presents to
    // members (§1.5 [V SCHEMA-ARR]). The password is an IIS-encrypted attribute, kept as written;
    // its default is the schema's encrypted empty value.
    clientCertFileName: z.string().optional(),
    clientCertHash: z.string().optional(),
    clientCertPassword: z.string().default('[enc:AesProvider::enc]'),
  })
  .strict()
  .superRefine(inRanges('protocol'));

/**
 * The Monitoring page's Availability, as set by the Rotate Servers actions (docs/reference.md §1.9):
 * Make Server Available, Unavailable Gracefully, Unavailable Immediately, Disallow New Connections.
 * `Unavailable` is accepted as the graceful form.
 */
export const availabilitySchema = z
  .enum(['Available', 'UnavailableGracefully', 'UnavailableImmediately', 'Drain', 'Unavailable'])
  .transform((v) => (v === 'Unavailable' ? 'UnavailableGracefully' : v));
export type Availability = z.output<typeof availabilitySchema>;

export const serverSchema = z
  .object({
    address: z.string().min(1),
    enabled: z.boolean().default(true),
    weight: z.number().int().min(1).max(4294967295).default(100),
    httpPort: z.number().int().min(1).max(65535).default(80),
    httpsPort: z.number().int().min(1).max(65535).default(443),
    hostName: z.string().min(1).optional(),
    healthCheckAlternateHostName: z.string().optional(),
    healthCheckAlternatePort: z.number().int().min(0).max(65535).default(0),
    /** Runtime availability at start (not an attribute: the Monitoring page's column). */
    availability: availabilitySchema.default('Available'),
  })
  .strict();

const statusRangesSchema = z.string().superRefine((text, ctx) => {
  const parsed = parseStatusRanges(text);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

export const healthCheckSchema = z
  .object({
    url: z.string().optional(),
    interval: timeSpanSchema.default(seconds(30)),
    timeout: timeSpanSchema.default(seconds(30)),
    statusCodeMatch: statusRangesSchema.default('200-399'),
    responseMatch: z.string().optional(),
    retries: z.number().int().min(0).max(20).default(3),
    liveTrafficFailureCodes: statusRangesSchema.default('500-'),
    maxLiveTrafficFailures: z.number().int().min(1).default(10),
    liveTrafficFailurePeriod: timeSpanSchema.default(0),
    minServers: z.number().int().min(0).default(0),
  })
  .strict()
  .superRefine(inRanges('healthCheck'));

export const affinitySchema = z
  .object({
    useCookie: z.boolean().default(false),
    cookieName: z.string().min(1).default('ARRAffinity'),
    useHostName: z.boolean().default(false),
    hostCountersEnabled: z.boolean().default(true),
    useServerProvider: z.boolean().default(false),
    timeout: timeSpanSchema.default(seconds(20 * 60)),
    useExternalCache: z.boolean().default(false),
    ignoreSubDomain: z.boolean().default(false),
    ignoreSubDomainClientAffinity: z.boolean().default(false),
    ignoreSubDomainFragmentDepth: z.number().int().min(0).max(32767).default(2),
    hostAffinityProvider: z.string().default('Microsoft.Web.Arr.HostNameRoundRobin'),
    serverProviderImage: z.string().optional(),
  })
  .strict()
  .superRefine(inRanges('affinity'));

export const ALGORITHMS = ['WeightedRoundRobin', 'LeastRequests', 'LeastResponseTime', 'WeightedTotalTraffic', 'RequestHash'] as const;

export const loadBalancingSchema = z
  .object({
    algorithm: z.enum(ALGORITHMS).default('WeightedRoundRobin'),
    leastResponseTimePeriod: timeSpanSchema.default(seconds(5)),
    hashServerVariable: z.string().optional(),
    queryStringNames: z.string().optional(),
    randomizeLBTies: z.boolean().default(false),
  })
  .strict()
  .superRefine(inRanges('loadBalancing'));

/** Lab switches for behaviour the reference marks undocumented ([U]); each has a stated default. */
export const labSwitchesSchema = z
  .object({
    /**
     * WinHTTP's four timeouts. ARR's `protocol/@timeout` is documented to produce 502.3/12002 when
     * a member is slow to answer; which of the four it sets is unknown (§10 q6). Unset, each
     * phase uses `protocol/@timeout`.
     */
    timeouts: z
      .object({ resolve: timeSpanSchema, connect: timeSpanSchema, send: timeSpanSchema, receive: timeSpanSchema })
      .partial()
      .strict()
      .default({}),
    /**
     * The 2019 ARR 3 schema says LeastRequests, LeastResponseTime and WeightedTotalTraffic are no
     * longer supported and fall back to WeightedRoundRobin; TechNet describes all of them (§1.8,
     * §10 q3). Off by default: every algorithm behaves as TechNet describes.
     */
    arr3AlgorithmFallback: z.boolean().default(false),
    /**
     * Whether connection errors (502.3) count toward `maxLiveTrafficFailures`, not only toward
     * the Failed Requests counter (§1.9, §10 q2). On by default: a member that cannot be reached
     * is the failure live-traffic detection exists for.
     */
    liveTrafficCountsConnectionErrors: z.boolean().default(true),
    /**
     * Whether a request whose connection to a member failed before anything was sent (name not
     * resolved, resolve or connect timeout, connection refused) is tried on the balancer's next
     * pick among the members not yet tried. Undocumented (§1.11, §10 q1). Off by default: one
     * attempt, and the client sees that member's failure, the only behaviour a source shows.
     */
    retryOnConnectFailure: z.boolean().default(false),
    /**
     * When the controller's own TCP gives up on an unanswered SYN. Windows retransmits a SYN
     * twice (TcpMaxConnectRetransmissions 2) with a 3 s initial timeout doubling each time, so a
     * connect fails with WSAETIMEDOUT after about 3 + 6 + 12 = 21 s, whatever WinHTTP's connect
     * timeout [S: Windows TCP defaults, not in the reference]. Whichever of the two is shorter
     * ends the connect; `0` leaves only WinHTTP's timer.
     */
    synGiveUp: timeSpanSchema.default(21_000),
  })
  .strict();

export const farmSchema = z
  .object({
    name: z.string().min(1).default('myServerFarm'),
    enabled: z.boolean().default(true),
    serverAutoStart: z.boolean().default(true),
    passConnectionCloseHeader: z.boolean().default(false),
    passServerHeader: z.enum(['Replace', 'Remove', 'PassThrough']).default('Replace'),
    servers: z.array(serverSchema).default([]),
    protocol: protocolSchema.prefault({}),
    healthCheck: healthCheckSchema.prefault({}),
    affinity: affinitySchema.prefault({}),
    loadBalancing: loadBalancingSchema.prefault({}),
    lab: labSwitchesSchema.prefault({}),
  })
  .strict();

export type FarmConfig = z.output<typeof farmSchema>;
export type FarmInput = z.input<typeof farmSchema>;
export type ServerConfig = z.output<typeof serverSchema>;
export type ProtocolConfig = z.output<typeof protocolSchema>;
export type AffinityConfig = z.output<typeof affinitySchema>;

/** WinHTTP's phase timeouts for a farm: the lab switches where set, else protocol/@timeout. */
export function phaseTimeouts(farm: FarmConfig): { resolve: number; connect: number; send: number; receive: number; synGiveUp: number } {
  const t = farm.protocol.timeout;
  const o = farm.lab.timeouts;
  return { resolve: o.resolve ?? t, connect: o.connect ?? t, send: o.send ?? t, receive: o.receive ?? t, synGiveUp: farm.lab.synGiveUp };
}
