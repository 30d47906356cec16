import { z } from 'zod';
import type { Behaviour } from './behaviour.ts';
import { behaviourByName } from './behaviours/index.ts';

/**
 * A member's script: rules tried in order; the first whose route and request number match runs
 * its steps. A step names one behaviour: `sleep: 45s`, `respond: {status: 200}`, or just
 * `close-without-response`.
 *
 * - `route` is a path prefix (`/time/` matches `/time/` and `/time/a.aspx`); default `/`.
 * - `requests` picks request numbers counted per route on this member, 1-based:
 *   `3`, `1-5`, `4-` (from the 4th on), `1,3,5-7`. Default: every request.
 */
export interface Step {
  behaviour: Behaviour;
  options: unknown;
}

const stepSchema = z.union([z.string(), z.record(z.string(), z.unknown())]).transform((raw, ctx): Step => {
  const [name, value] = typeof raw === 'string' ? [raw, undefined] : single(raw);
  if (name === undefined) {
    ctx.addIssue({ code: 'custom', message: 'a step names exactly one behaviour, e.g. {sleep: 45s}' });
    return z.NEVER;
  }
  const behaviour = behaviourByName.get(name);
  if (!behaviour) {
    ctx.addIssue({ code: 'custom', message: `unknown behaviour "${name}" (known: ${[...behaviourByName.keys()].join(', ')})` });
    return z.NEVER;
  }
  const parsed = behaviour.options.safeParse(value);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      ctx.addIssue({ code: 'custom', message: issue.message, path: [name, ...issue.path.map(String)] });
    }
    return z.NEVER;
  }
  return { behaviour, options: parsed.data };
});

function single(raw: Record<string, unknown>): [string | undefined, unknown] {
  const keys = Object.keys(raw);
  return keys.length === 1 ? [keys[0], raw[keys[0]!]] : [undefined, undefined];
}

const RANGE = /^\s*(\d+)\s*(?:(-)\s*(\d+)?)?\s*$/;

export type RequestSet = (n: number) => boolean;

const requestSetSchema = z.union([z.string(), z.number().int().min(1)]).transform((value, ctx): RequestSet => {
  const parts = String(value).split(',');
  const ranges: [number, number][] = [];
  for (const part of parts) {
    const m = RANGE.exec(part);
    if (!m || Number(m[1]) < 1) {
      ctx.addIssue({ code: 'custom', message: `bad request range "${part.trim()}" (use 3, 1-5, 4- or 1,3,5-7)` });
      return z.NEVER;
    }
    const from = Number(m[1]);
    const to = m[2] ? (m[3] ? Number(m[3]) : Infinity) : from;
    ranges.push([from, to]);
  }
  return (n) => ranges.some(([a, b]) => n >= a && n <= b);
});

export const ruleSchema = z
  .object({
    route: z.string().startsWith('/').default('/'),
    requests: requestSetSchema.optional(),
    do: z.array(stepSchema).min(1),
  })
  .strict();

export type ScriptRule = z.output<typeof ruleSchema>;

/** A script as written: what scenarios, the control API and a container's config hold. */
export const writtenScriptSchema = z.array(ruleSchema);

/**
 * A parsed script, with what it was parsed from. Its rules hold behaviour modules and matchers,
 * which cannot be parsed again nor cross a process: a container member is sent the written form,
 * and a manifest or recorded session repeats it (`toJSON`), in the user's own terms.
 */
export class Script {
  static readonly none = new Script([], []);

  constructor(
    readonly rules: readonly ScriptRule[],
    readonly written: readonly unknown[],
  ) {}

  toJSON(): readonly unknown[] {
    return this.written;
  }
}

/** Parses a written script into a {@link Script}; an issue's path points into the written rules. */
export const scriptSchema = z.array(z.unknown()).transform((written, ctx): Script => {
  const parsed = writtenScriptSchema.safeParse(written);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path.map((p) => p as string | number) });
    return z.NEVER;
  }
  return new Script(parsed.data, written);
});
