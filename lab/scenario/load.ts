import { readFile } from 'node:fs/promises';
import { InputError } from '../../core/input-error.ts';
import { extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { closest, distance } from 'fastest-levenshtein';
import { isMap, isNode, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { resolveFarmXml, type ScenarioFarmXml } from './farm-xml.ts';
import { validKeysAt } from './json-schema.ts';
import { scenarioSchema, unknownMemberReferences, type Scenario } from './schema.ts';
import { scenarioTopology } from './topology.ts';
import type { Topology } from '../topology.ts';

export interface Problem {
  /** Dotted path into the scenario, e.g. `requests.0.expect.client.status`. */
  path: string;
  line?: number;
  message: string;
}

/** A scenario that cannot run: names the file, and the path, line and reason of each problem. */
export class ScenarioError extends InputError {
  constructor(
    readonly file: string,
    readonly problems: Problem[],
  ) {
    super(
      `${file}: invalid scenario\n` +
        problems.map((p) => `  ${p.line !== undefined ? `line ${p.line}: ` : ''}${p.path || '(top level)'}: ${p.message}`).join('\n'),
    );
    this.name = 'ScenarioError';
  }
}

/** The line of a path in the file, or with `asKey` the line of the path's last key (an unknown key). */
export type Locate = (path: PropertyKey[], asKey?: boolean) => number | undefined;

export interface LoadedScenario {
  file: string;
  scenario: Scenario;
  /** The scenario as written: the manifest records what was injected in the user's own terms. */
  raw: unknown;
  /** Set when the farm was read from applicationHost.config: the farm the lab runs, and the file's warnings. */
  farmFromXml?: ScenarioFarmXml;
  /** The lab to start, with the settings parsed here: `Lab.start` runs them as they are. */
  topology: Topology;
}

export async function loadScenarioFile(path: string): Promise<LoadedScenario> {
  const file = resolve(path);
  const ext = extname(file).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return parseYamlScenario(await readFile(file, 'utf8'), file);
  if (ext === '.ts' || ext === '.mts' || ext === '.js' || ext === '.mjs') {
    let mod: { default?: unknown };
    try {
      // tsx compiles the file (and what it imports) whether the CLI itself runs compiled or from source.
      const url = pathToFileURL(file).href;
      mod = (ext === '.ts' || ext === '.mts' ? await (await import('tsx/esm/api')).tsImport(url, import.meta.url) : await import(url)) as { default?: unknown };
    } catch (err) {
      throw new ScenarioError(file, [{ path: '', message: `cannot load module: ${(err as Error).message}` }]);
    }
    // A .ts file outside an ES module package is compiled as CommonJS: its default export arrives wrapped once more.
    const exported = isCommonJsWrapper(mod.default) ? mod.default.default : mod.default;
    if (exported === undefined) throw new ScenarioError(file, [{ path: '', message: 'the module has no default export (export default defineScenario({...}))' }]);
    return parseScenario(exported, file);
  }
  throw new ScenarioError(file, [{ path: '', message: `unknown scenario file type "${ext}" (use .yaml, .yml or .ts)` }]);
}

/** `parsed`: what this text was parsed to before (lab/catalog-yaml-cache.ts); the text is parsed again only to name the lines of a problem. */
export function parseYamlScenario(text: string, file: string, parsed?: { raw: unknown }): LoadedScenario {
  if (parsed) {
    try {
      return parseScenario(parsed.raw, file);
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
    }
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    // After one syntax error the parser's later complaints are mostly its consequences: the first is the one to fix.
    const [first] = doc.errors;
    const more = doc.errors.length - 1;
    throw new ScenarioError(file, [{
      path: '',
      line: first!.linePos?.[0]?.line,
      message: `${first!.message.split('\n')[0]!}${more > 0 ? ` (and ${more} more YAML error${more > 1 ? 's' : ''} after it, often caused by this one)` : ''}`,
    }]);
  }
  const raw: unknown = doc.toJS();
  return parseScenario(raw, file, (path, asKey) => lineOf(doc, lineCounter, path, asKey));
}

export function parseScenario(raw: unknown, file: string, locate?: Locate): LoadedScenario {
  const xml = resolveFarmXml(raw, file);
  const result = scenarioSchema.safeParse(xml.raw);
  const references = unknownMemberReferences(raw).map((r) => ({ path: r.path.join('.'), line: locate?.(r.path), message: r.message }));
  const farmProblems = xml.problems.map((p) => ({ path: p.path.join('.'), line: locate?.(p.path), message: p.message }));
  if (!result.success || references.length > 0 || farmProblems.length > 0) {
    throw new ScenarioError(file, [...farmProblems, ...(result.success ? [] : problemsOf(result.error, raw, locate)), ...references]);
  }
  return { file, scenario: result.data, raw, farmFromXml: xml.farm, topology: scenarioTopology(result.data, raw, xml.farm) };
}

function problemsOf(error: z.ZodError, raw: unknown, locate?: Locate): Problem[] {
  return error.issues.flatMap((issue) => {
    const unknown = unknownKeys(issue);
    if (unknown.length > 0) return unknown.map((key) => unknownKeyProblem(raw, issue.path, key, locate));
    return [{ path: issue.path.map(String).join('.'), line: locate?.(issue.path), message: typeMessage(issue, raw) }];
  });
}

/**
 * zod's wrong-type message, said as a person writing YAML needs it: a key left out, or a hex code
 * YAML made a number. Read from the message, as nested schemas (steps) re-raise issues as custom ones.
 */
function typeMessage(issue: z.core.$ZodIssue, raw: unknown): string {
  const value = issue.path.reduce<unknown>((node, key) => (typeof node === 'object' && node !== null ? (node as Record<PropertyKey, unknown>)[key] : undefined), raw);
  if (issue.path.at(-1) === 'errorCode' && typeof value === 'number') {
    return `YAML read this hex code as the number ${value}: quote it, in lower case ("0x${value.toString(16).padStart(8, '0')}")`;
  }
  const expected = /expected (\w+), received undefined$/.exec(issue.message)?.[1];
  return value === undefined && expected ? `required: ${expected} expected, and the key is missing` : issue.message;
}

/** zod's unrecognized_keys, also when a nested schema re-raised it as a custom issue (steps, scripts). */
function unknownKeys(issue: z.core.$ZodIssue): string[] {
  if (issue.code === 'unrecognized_keys') return issue.keys;
  const m = /^Unrecognized keys?: (.*)$/.exec(issue.message);
  return m ? [...m[1]!.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((k) => JSON.parse(`"${k[1]}"`) as string) : [];
}

/** Names the bad key, where it is, and what is valid there (with the nearest one when it looks like a typo). */
function unknownKeyProblem(raw: unknown, at: PropertyKey[], key: string, locate?: Locate): Problem {
  const path = [...at, key];
  const valid = validKeysAt(raw, at) ?? [];
  const near = valid.length > 0 ? closest(key, valid) : undefined;
  const hint = near !== undefined && distance(key, near) <= Math.max(2, Math.floor(key.length / 3)) ? ` (did you mean "${near}"?)` : '';
  return {
    path: path.map(String).join('.'),
    line: locate?.(path, true),
    message: `unknown key "${key}"${hint}${valid.length > 0 ? `; valid keys here: ${valid.join(', ')}` : ''}`,
  };
}

/** The line of the deepest node that exists on the path (a missing key points at its parent); with `asKey`, the line of the path's last key itself. */
function lineOf(doc: Document, counter: LineCounter, path: PropertyKey[], asKey = false): number | undefined {
  const parent = asKey && path.length > 0 ? doc.getIn(path.slice(0, -1) as (string | number)[], true) : undefined;
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === String(path[path.length - 1]));
    if (pair && isNode(pair.key) && pair.key.range) return counter.linePos(pair.key.range[0]).line;
  }
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as (string | number)[], true);
    if (isNode(node) && node.range) return counter.linePos(node.range[0]).line;
  }
  return undefined;
}

function isCommonJsWrapper(value: unknown): value is { default: unknown } {
  return typeof value === 'object' && value !== null && 'default' in value && Object.keys(value).every((k) => k === 'default' || k === '__esModule');
}
