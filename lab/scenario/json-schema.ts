import { z } from 'zod';
import { behaviours } from '../../backends/behaviours/index.ts';
import { ruleSchema } from '../../backends/script.ts';
import { durationSchema, timeSpanSchema } from '../../core/duration-schema.ts';
import { formatTimeSpan } from '../../core/duration.ts';
import { httpSysSchema } from '../../iis/http-sys/settings.ts';
import { nonPagedPoolSchema } from '../../iis/http-sys/nonpaged-pool.ts';
import { farmSchema } from '../../proxy/farm-config.ts';
import { actionSchema } from './action-step.ts';
import { actions } from './actions/index.ts';
import { farmXmlSourceSchema, requestSchema, scenarioSchema } from './schema.ts';

/**
 * The scenario schema as JSON Schema (draft 2020-12), for editors (yaml-language-server), the
 * generated scenario reference and the loader's unknown-key messages. It describes what a file
 * may contain, so it is zod's input side. The parts zod validates in two stages (taken as any
 * data, then checked: steps, scripts) come out of z.toJSONSchema as "any object" and are put back
 * here from the schemas that check them; shared parts live in `$defs`.
 */
export type JsonSchema = {
  [key: string]: unknown;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  required?: string[];
};

type Def = { type: string; in?: unknown; innerType?: { _zod: { def: Def } }; defaultValue?: unknown };

/** `timeSpan` or `duration` for those schemas and their refined copies (which share their input side). */
function timeKind(def: Def | undefined): 'timeSpan' | 'duration' | undefined {
  if (def?.type !== 'pipe' || def.in === undefined) return undefined;
  if (def.in === (timeSpanSchema._zod.def as unknown as Def).in) return 'timeSpan';
  if (def.in === (durationSchema._zod.def as unknown as Def).in) return 'duration';
  return undefined;
}

export function toInputJsonSchema(schema: z.ZodType): JsonSchema {
  const json = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      const def = zodSchema._zod.def as unknown as Def;
      const kind = timeKind(def);
      if (kind) jsonSchema.title = kind;
      // A default on a timeSpan or duration is held in ms after the transform; show it as written.
      if (def.type !== 'default') return;
      const inner = timeKind(def.innerType?._zod.def);
      if (inner === 'timeSpan') jsonSchema.default = formatTimeSpan(def.defaultValue as number);
      else if (inner === 'duration') jsonSchema.default = def.defaultValue;
    },
  }) as JsonSchema;
  delete json.$schema;
  return tidy(json);
}

/** Drops what zod adds that says nothing to a reader: safe-integer bounds, string key names, its own formats. */
function tidy<T>(node: T): T {
  if (Array.isArray(node)) return node.map(tidy) as T;
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'maximum' || key === 'minimum') && Math.abs(value as number) === Number.MAX_SAFE_INTEGER) continue;
    if (key === 'propertyNames' && JSON.stringify(value) === '{"type":"string"}') continue;
    if (key === 'format' && value === 'starts_with') continue;
    out[key] = tidy(value);
  }
  return out as T;
}

const ref = (name: string): JsonSchema => ({ $ref: `#/$defs/${name}` });

/** A script step: a behaviour's name alone, or `{name: options}`. */
function behaviourStepSchema(): JsonSchema {
  return {
    anyOf: [
      { type: 'string', enum: behaviours.map((b) => b.name), description: 'a behaviour with its default options' },
      ...behaviours.map((b) => ({
        type: 'object',
        description: b.summary,
        properties: { [b.name]: { ...toInputJsonSchema(b.options), description: b.summary } },
        required: [b.name],
        additionalProperties: false,
      })),
    ],
  };
}

function scriptSchema(): JsonSchema {
  const rule = toInputJsonSchema(ruleSchema);
  rule.properties!.do = { type: 'array', minItems: 1, items: ref('behaviourStep') };
  return { type: 'array', items: rule };
}

function set(root: JsonSchema, path: string[], value: JsonSchema): void {
  let node = root;
  for (const key of path.slice(0, -1)) node = node[key] as JsonSchema;
  const last = path[path.length - 1]!;
  const old = node[last] as JsonSchema | undefined;
  // Keep what the outer schema said (default, description) about the part being replaced.
  node[last] = { ...value, ...(old?.default !== undefined ? { default: old.default } : {}), ...(old?.description ? { description: old.description } : {}) };
}

let cached: JsonSchema | undefined;

export function scenarioJsonSchema(): JsonSchema {
  if (cached) return cached;
  const root = toInputJsonSchema(scenarioSchema);
  const action = toInputJsonSchema(actionSchema);
  // One key per action step (the schema's refine says so).
  Object.assign(action, { minProperties: 1, maxProperties: 1 });
  for (const a of actions) if (a.json) set(action, ['properties', a.key], a.json);

  const members = (root.properties!.members as JsonSchema).items!;
  set(members, ['properties', 'script'], ref('script'));
  set(members, ['properties', 'httpSys'], ref('httpSys'));
  set(members, ['properties', 'nonPagedPool'], toInputJsonSchema(nonPagedPoolSchema));
  set(root, ['properties', 'controller', 'properties', 'httpSys'], ref('httpSys'));
  set(root, ['properties', 'farm'], { anyOf: [toInputJsonSchema(farmSchema), toInputJsonSchema(farmXmlSourceSchema)] });
  set(root, ['properties', 'requests', 'items'], { anyOf: [toInputJsonSchema(requestSchema), action] });

  cached = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'arr-lab scenario',
    ...root,
    $defs: { script: scriptSchema(), behaviourStep: behaviourStepSchema(), httpSys: toInputJsonSchema(httpSysSchema) },
  };
  return cached;
}

function resolveRef(node: JsonSchema, root: JsonSchema): JsonSchema {
  return node.$ref ? root.$defs![node.$ref.replace('#/$defs/', '')]! : node;
}

/** The alternative of a union that `value` was meant to be: all its required keys given, then most keys known. */
function branchFor(node: JsonSchema, value: unknown, root: JsonSchema): JsonSchema {
  const resolved = resolveRef(node, root);
  if (!resolved.anyOf) return resolved;
  const given = value !== null && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
  const candidates = resolved.anyOf.map((b) => branchFor(b, value, root)).filter((b) => (Array.isArray(value) ? b.items : b.properties));
  const score = (b: JsonSchema) =>
    ((b.required ?? []).every((k) => given.includes(k)) ? 1000 : 0) + given.filter((k) => b.properties && k in b.properties).length;
  return candidates.reduce<JsonSchema | undefined>((best, b) => (best === undefined || score(b) > score(best) ? b : best), undefined) ?? resolved;
}

/**
 * The keys a scenario may hold at `path` (a path into the scenario as written), for messages
 * about an unknown key; undefined when the path leads nowhere the schema describes.
 */
export function validKeysAt(raw: unknown, path: readonly PropertyKey[]): string[] | undefined {
  const root = scenarioJsonSchema();
  let node: JsonSchema | undefined = root;
  let value: unknown = raw;
  for (const segment of path) {
    node = branchFor(node, value, root);
    const next = (value as Record<PropertyKey, unknown> | undefined)?.[segment];
    if (typeof segment === 'number' || /^\d+$/.test(String(segment))) node = node.items;
    else {
      const additional = node.additionalProperties;
      node = node.properties?.[String(segment)] ?? (typeof additional === 'object' ? additional : undefined);
    }
    value = next;
    if (node === undefined) return undefined;
  }
  const properties = branchFor(node, value, root).properties;
  return properties && Object.keys(properties);
}
