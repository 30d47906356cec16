import { z } from 'zod';
import type { Behaviour } from '../../backends/behaviour.ts';

/**
 * A behaviour's options as `arr-lab list --behaviours` shows them: `status=200 (100–999)`,
 * `then=reset|close`, or the form of a bare value (`sleep: 45s`). Read from its zod schema, the
 * one YAML, TypeScript and the control API are checked against, so the list cannot drift.
 */
export function behaviourOptions(behaviour: Behaviour): string {
  const schema = z.toJSONSchema(behaviour.options, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  if (schema.type !== 'object') return `a ${typeName(schema)} (e.g. ${behaviour.name}: 45s)`;
  const props = Object.entries(schema.properties ?? {});
  if (props.length === 0) return 'no options';
  return props.map(([name, p]) => describeOption(name, p)).join(', ');
}

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  default?: unknown;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
}

function describeOption(name: string, p: JsonSchema): string {
  if (p.enum) return `${name}=${p.enum.join('|')}${p.default !== undefined ? ` (default ${String(p.default)})` : ''}`;
  const range = p.minimum !== undefined && p.maximum !== undefined ? ` ${p.minimum}–${p.maximum}` : '';
  const fallback = p.default === undefined ? '' : typeof p.default === 'object' ? '' : `=${JSON.stringify(p.default)}`;
  return `${name}${fallback} (${typeName(p)}${range})`;
}

function typeName(p: JsonSchema): string {
  const t = Array.isArray(p.type) ? p.type : [p.type ?? 'any'];
  // A string or a number is how the lab's durations are written: 45s, 00:00:45 or milliseconds.
  return t.includes('string') && t.includes('number') ? 'duration' : t.join(' or ');
}
