import { z } from 'zod';
import { scriptSchema } from '../../backends/script.ts';
import { farmSchema } from '../../proxy/farm-config.ts';

/**
 * The scenario schema, shared by YAML files and TypeScript modules (`defineScenario`). A scenario
 * declares a farm, its members and their scripts, the requests to send, and what the client, the
 * proxy's logs and each member's logs must show for each request.
 */

/** A number, or a time with a tolerance: `30000`, `~30000` (scenario tolerance), `30000±500`, `{min, max}`. */
export const measureSchema = z.union([
  z.number(),
  z.string().regex(/^\s*~\s*\d+(\.\d+)?\s*$|^\s*\d+(\.\d+)?\s*(±|\+-)\s*\d+(\.\d+)?\s*$/, 'use 30000, ~30000, 30000±500 or {min, max}'),
  z.object({ min: z.number().optional(), max: z.number().optional() }).strict(),
]);
export type Measure = z.output<typeof measureSchema>;

const scalar = z.union([z.string(), z.number()]);

export const w3cExpectSchema = z
  .object({
    'cs-method': z.string(),
    'cs-uri-stem': z.string(),
    'cs-uri-query': z.string(),
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
  })
  .strict();
export type ScenarioRequest = z.output<typeof requestSchema>;

const rawScriptSchema = z.array(z.unknown()).optional().transform((value, ctx) => {
  const raw = value ?? [];
  const parsed = scriptSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path.map((p) => p as string | number) });
    return z.NEVER;
  }
  return raw;
});

export const memberSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,62}$/, 'a host name: letters, digits and -'),
    /** Nothing listens on the member's port: connections are refused. */
    offline: z.boolean().default(false),
    /** Kept as written (plain data) for the host driver and the manifest; validated here. */
    script: rawScriptSchema,
  })
  .strict();

export const scenarioSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lowercase letters, digits and -'),
    description: z.string().min(1),
    suites: z.array(z.string().regex(/^[a-z0-9-]+$/)).min(1),
    /** Where the behaviour comes from: a reference section, a support case... */
    reference: z.string().optional(),
    /** Default tolerance, in nominal ms, for `~N` time expectations. */
    timeTolerance: z.number().min(0).default(1000),
    farm: farmSchema.prefault({}),
    members: z.array(memberSchema).min(1),
    requests: z.array(requestSchema).min(1),
  })
  .strict()
  .superRefine((s, ctx) => {
    const names = new Set(s.members.map((m) => m.name));
    s.members.forEach((m, i) => {
      if (s.members.findIndex((o) => o.name === m.name) !== i) {
        ctx.addIssue({ code: 'custom', message: `duplicate member name "${m.name}"`, path: ['members', i, 'name'] });
      }
      if (m.name === 'arr') ctx.addIssue({ code: 'custom', message: '"arr" is the controller\'s name', path: ['members', i, 'name'] });
    });
    s.requests.forEach((r, i) => {
      for (const name of Object.keys(r.expect.members ?? {})) {
        if (!names.has(name)) {
          ctx.addIssue({ code: 'custom', message: `no member named "${name}"`, path: ['requests', i, 'expect', 'members', name] });
        }
      }
    });
  });

export type Scenario = z.output<typeof scenarioSchema>;
export type ScenarioInput = z.input<typeof scenarioSchema>;

/** For scenarios written in TypeScript: `export default defineScenario({...})`. */
export function defineScenario(input: ScenarioInput): ScenarioInput {
  return input;
}

