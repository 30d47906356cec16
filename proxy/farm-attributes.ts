import type { z } from 'zod';
import { timeSpanSchema } from '../core/duration-schema.ts';
import { formatTimeSpan, parseTimeSpan } from '../core/duration.ts';
import { affinitySchema, farmSchema, healthCheckSchema, loadBalancingSchema, protocolSchema, serverSchema, timeSpanRangeProblem } from './farm-config.ts';

/**
 * The applicationHost.config attributes of a web farm, read off the farm schema itself
 * (proxy/farm-config.ts) so an attribute added there is accepted in XML without a second list:
 * each schema field is one attribute of the same name, and its zod type says how IIS writes it.
 */

export type AttributeKind =
  | { type: 'boolean' }
  | { type: 'number' }
  | { type: 'string' }
  | { type: 'enum'; names: readonly string[] }
  | { type: 'timeSpan' };

export interface AttributeSpec {
  name: string;
  kind: AttributeKind;
  /** The setting's name in reports and in the honoured list, e.g. `protocol/@timeout`. */
  path: string;
}

/** One XML element of the farm and the farm-input object its attributes fill. */
export interface SectionSpec {
  /** The name in setting paths: `webFarm`, `server`, `server/applicationRequestRouting`, `protocol` ... */
  name: string;
  /** Key of the farm input that holds it (`protocol`); none for `webFarm` and the server elements. */
  key?: 'protocol' | 'healthCheck' | 'affinity' | 'loadBalancing';
  attributes: ReadonlyMap<string, AttributeSpec>;
}

type Field = z.ZodType & { def: { type: string; innerType?: Field } };

function kindOf(field: Field, where: string): AttributeKind {
  let f = field;
  while (f !== (timeSpanSchema as unknown) && ['default', 'optional', 'prefault'].includes(f.def.type)) f = f.def.innerType!;
  if (f === (timeSpanSchema as unknown)) return { type: 'timeSpan' };
  switch (f.def.type) {
    case 'boolean':
    case 'number':
    case 'string':
      return { type: f.def.type };
    case 'enum':
      return { type: 'enum', names: (f as unknown as { options: string[] }).options };
    default:
      // A new schema field of a type XML cannot express must be mapped here, not silently skipped.
      throw new Error(`${where}: no XML form for a zod "${f.def.type}" field`);
  }
}

function section(name: string, shape: Record<string, unknown>, keys: string[], key?: SectionSpec['key']): SectionSpec {
  const attributes = new Map<string, AttributeSpec>();
  for (const k of keys) attributes.set(k, { name: k, kind: kindOf(shape[k] as Field, `${name}/@${k}`), path: `${name}/@${k}` });
  return { name, key, attributes };
}

const FARM_CHILDREN = ['servers', 'protocol', 'healthCheck', 'affinity', 'loadBalancing', 'lab'];
/** Web Farm Framework's own server attributes (§1.4 [V SCHEMA-WFF]); ARR's sit on the child element. */
const SERVER_ELEMENT = ['address', 'enabled'];
/** The Monitoring page's Availability is runtime state, not configuration (§1.9). */
const SERVER_RUNTIME = ['availability'];

export const WEB_FARM = section('webFarm', farmSchema.shape, Object.keys(farmSchema.shape).filter((k) => !FARM_CHILDREN.includes(k)));
export const SERVER = section('server', serverSchema.shape, SERVER_ELEMENT);
export const SERVER_ARR = section(
  'server/applicationRequestRouting',
  serverSchema.shape,
  Object.keys(serverSchema.shape).filter((k) => !SERVER_ELEMENT.includes(k) && !SERVER_RUNTIME.includes(k)),
);
export const PROTOCOL = section('protocol', protocolSchema.shape, Object.keys(protocolSchema.shape), 'protocol');
export const HEALTH_CHECK = section('healthCheck', healthCheckSchema.shape, Object.keys(healthCheckSchema.shape), 'healthCheck');
export const AFFINITY = section('affinity', affinitySchema.shape, Object.keys(affinitySchema.shape), 'affinity');
export const LOAD_BALANCING = section('loadBalancing', loadBalancingSchema.shape, Object.keys(loadBalancingSchema.shape), 'loadBalancing');

/** The children of `webFarm/applicationRequestRouting`, by element name. */
export const FARM_ARR_SECTIONS: readonly SectionSpec[] = [PROTOCOL, HEALTH_CHECK, AFFINITY, LOAD_BALANCING];

/**
 * An attribute's text as the farm input takes it, or why IIS would refuse it. Booleans are
 * `true` / `false` in any case, as IIS reads them; numbers are decimal; timeSpans
 * `[d.]hh:mm:ss[.fffffff]` (kept as text: the schema converts them); enums by name, in any case
 * [I: IIS accepts `integrated` for managedPipelineMode="Integrated"], normalised to the
 * schema's spelling.
 */
export function readAttribute(spec: AttributeSpec, text: string): { value: unknown } | { error: string } {
  const kind = spec.kind;
  switch (kind.type) {
    case 'boolean':
      if (/^(true|false)$/i.test(text)) return { value: text.toLowerCase() === 'true' };
      return { error: 'not a boolean (true or false)' };
    case 'number':
      if (/^[+-]?\d+$/.test(text.trim())) return { value: Number(text) };
      return { error: 'not a decimal integer' };
    case 'string':
      return { value: text };
    case 'enum': {
      const name = kind.names.find((n) => n.toLowerCase() === text.trim().toLowerCase());
      return name ? { value: name } : { error: `not one of ${kind.names.join(', ')}` };
    }
    case 'timeSpan': {
      const ms = parseTimeSpan(text);
      if (ms === undefined) return { error: 'not a timeSpan (hh:mm:ss, e.g. 00:00:30)' };
      const problem = timeSpanRangeProblem(spec.path, ms);
      return problem ? { error: problem } : { value: text.trim() };
    }
  }
}

/** A setting's value as applicationHost.config writes it; an unset optional one is empty. */
export function formatAttribute(spec: AttributeSpec, value: unknown): string {
  if (value === undefined) return '';
  if (spec.kind.type === 'timeSpan') return formatTimeSpanExact(value as number);
  return String(value);
}

/** `00:00:30`, keeping fractions of a second (`00:00:00.1`) that formatTimeSpan rounds away. */
function formatTimeSpanExact(ms: number): string {
  const whole = Math.floor(ms / 1000);
  const fraction = Math.round((ms - whole * 1000) * 10_000);
  const base = formatTimeSpan(whole * 1000);
  return fraction === 0 ? base : `${base}.${String(fraction).padStart(7, '0').replace(/0+$/, '')}`;
}
