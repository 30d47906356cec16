import { behaviours } from '../../backends/behaviours/index.ts';
import { scenarioJsonSchema, type JsonSchema } from '../scenario/json-schema.ts';
import { DESCRIPTIONS } from './scenario-descriptions.ts';

/**
 * docs/scenario.schema.json and docs/scenarios.md, both generated from the zod scenario schema
 * (through lab/scenario/json-schema.ts) so neither can drift from what the loader accepts.
 * `npm run schema` writes them; test/scenario-schema.test.ts fails when the committed files differ.
 *
 * Every key is addressed by a dotted path: `[]` for an array's items, `<name>` for a map's values
 * (`requests[].availability.<member>`); script, behaviour and http.sys keys by their own section
 * (`script[].route`, `behaviours.respond.status`, `httpSys.queueLength`). A description given in
 * the zod schema (`.describe()` / `.meta()`) wins over the table in scenario-descriptions.ts.
 */

export interface KeyRow {
  path: string;
  key: string;
  type: string;
  required: boolean;
  default: string;
  allowed: string;
  description: string | undefined;
}

interface Section {
  path: string;
  title: string;
  intro?: string;
  rows: KeyRow[];
}

/** Branches of a union that are told apart in the docs rather than merged. */
const BRANCH_TITLES: Record<string, string[]> = {
  farm: ['`farm` — written out', '`farm` — read from applicationHost.config'],
  'requests[]': ['`requests[]` — a request', '`requests[]` — an action'],
};

/** What the shared parts are; each is documented once and linked from where it is used. */
const DEF_INTROS: Record<string, string> = {
  script:
    "A member's script (`members[].script`, or the `script` action): rules tried in order; the first whose `route` and `requests` match runs its `do` steps, each naming one [behaviour](#behaviours).",
  httpSys:
    "A host's http.sys and app-pool limits (`members[].httpSys`, `controller.httpSys`), with the IIS names and defaults (reference.md §2.2, §6.5).",
};

function deref(schema: JsonSchema, root: JsonSchema): JsonSchema {
  if (!schema.$ref) return schema;
  return root.$defs![schema.$ref.replace('#/$defs/', '')]!;
}

function objectBranches(schema: JsonSchema): JsonSchema[] {
  if (schema.properties) return [schema];
  if (schema.anyOf) return schema.anyOf.flatMap(objectBranches);
  return [];
}

/** The schema the keys below a path live in: through arrays and maps, not through $refs (documented once). */
function container(schema: JsonSchema): { suffix: string; schema: JsonSchema } | undefined {
  if (schema.$ref) return undefined;
  if (objectBranches(schema).length > 0) return { suffix: '', schema };
  if (schema.items) {
    const inner = container(schema.items);
    return inner && { suffix: `[]${inner.suffix}`, schema: inner.schema };
  }
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    const inner = container(schema.additionalProperties);
    return inner && { suffix: `.<name>${inner.suffix}`, schema: inner.schema };
  }
  return undefined;
}

export function typeOf(schema: JsonSchema): string {
  if (schema.$ref === '#/$defs/behaviourStep') return '[behaviour step](#behaviours)';
  if (schema.$ref) return `[${schema.$ref.replace('#/$defs/', '')}](#${anchor(schema.$ref.replace('#/$defs/', ''))})`;
  if (typeof schema.title === 'string') return schema.title;
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  if (schema.enum) return 'enum';
  if (schema.anyOf) return [...new Set(schema.anyOf.map(typeOf))].join(' | ');
  if (schema.type === 'array') return `list of ${schema.items ? typeOf(schema.items) : 'any'}`;
  if (schema.type === 'object' && !schema.properties && schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    return `map of ${typeOf(schema.additionalProperties)}`;
  }
  if (Array.isArray(schema.type)) return schema.type.join(' | ');
  return schema.type ?? 'any';
}

function allowedOf(schema: JsonSchema): string {
  const parts: string[] = [];
  const enums = (schema.anyOf ?? [schema]).flatMap((s) => s.enum ?? (s.const !== undefined ? [s.const] : []));
  const others = (schema.anyOf ?? []).some((s) => s.enum === undefined && s.const === undefined);
  if (enums.length > 0) parts.push(`${enums.map((v) => `\`${String(v)}\``).join(', ')}${others ? ' (or a value of the other type)' : ''}`);
  const { minimum: min, maximum: max } = schema;
  if (typeof min === 'number' && typeof max === 'number') parts.push(`${min}..${max}`);
  else if (typeof min === 'number') parts.push(`≥ ${min}`);
  else if (typeof max === 'number') parts.push(`≤ ${max}`);
  if (typeof schema.pattern === 'string') parts.push(`matches \`${schema.pattern}\``);
  if (typeof schema.minItems === 'number' && schema.minItems > 0) parts.push(`at least ${schema.minItems}`);
  // A map's or list's values: what each may be.
  const values = schema.items ?? (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
  const inner = values && !values.properties ? allowedOf(values) : '';
  if (inner) parts.push(`each ${inner}`);
  return parts.join('; ');
}

function defaultOf(schema: JsonSchema): string {
  if (schema.default === undefined) return '';
  const v = schema.default;
  if (typeof v === 'object' && v !== null && Object.keys(v).length === 0) return '';
  return `\`${typeof v === 'string' && !/[\r\n]/.test(v) ? v : JSON.stringify(v)}\``;
}

function rowsOf(path: string, branches: JsonSchema[]): KeyRow[] {
  const rows = new Map<string, KeyRow>();
  for (const branch of branches) {
    for (const [key, schema] of Object.entries(branch.properties!)) {
      if (rows.has(key)) continue;
      const full = path ? `${path}.${key}` : key;
      rows.set(key, {
        path: full,
        key,
        type: typeOf(schema),
        required: branch.required?.includes(key) ?? false,
        default: defaultOf(schema),
        allowed: allowedOf(schema),
        description: schema.description ?? DESCRIPTIONS[full],
      });
    }
  }
  return [...rows.values()];
}

/** Two places with the same keys, whatever their defaults and descriptions there. */
function shapeKey(schema: JsonSchema): string {
  const { default: _default, description: _description, ...shape } = schema;
  return JSON.stringify(shape);
}

function collect(path: string, title: string, schema: JsonSchema, out: Section[], seen: Map<string, string>, intro?: string): void {
  seen.set(shapeKey(schema), path);
  const labelled = BRANCH_TITLES[path];
  const branches = objectBranches(schema);
  const groups = labelled ? branches.map((b) => [b]) : [branches];
  groups.forEach((group, i) => {
    const forms = group.length > 1 ? `*One of*: ${group.map((b) => `{${(b.required ?? []).map((k) => `\`${k}\``).join(', ')}}`).join(' or ')}, not together.` : undefined;
    const text = [intro, forms].filter(Boolean).join(' ');
    const section: Section = { path, title: labelled?.[i] ?? title, rows: rowsOf(path, group), ...(text ? { intro: text } : {}) };
    out.push(section);
    for (const branch of group) {
      for (const [key, child] of Object.entries(branch.properties!)) {
        const inner = container(child);
        if (!inner) continue;
        const childPath = `${path ? `${path}.` : ''}${key}${inner.suffix}`;
        // The same keys again (a member's expectations are a proxy's): point at them instead.
        const same = seen.get(shapeKey(inner.schema));
        if (same !== undefined) {
          const row = section.rows.find((r) => r.key === key);
          if (row && same !== childPath) row.type += ` (keys as [\`${same}\`](#${anchor(same)}))`;
          continue;
        }
        const row = section.rows.find((r) => r.key === key);
        const title = BRANCH_TITLES[childPath]?.[0] ?? `\`${childPath}\``;
        if (row) row.type += ` (keys in [\`${childPath}\`](#${anchor(title)}))`;
        collect(childPath, `\`${childPath}\``, inner.schema, out, seen);
      }
    }
  });
}

function anchor(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-');
}

/** Every documented key with its description: what the docs print and the JSON Schema carries. */
export function scenarioSections(): Section[] {
  const root = scenarioJsonSchema();
  const sections: Section[] = [];
  const seen = new Map<string, string>();
  collect('', 'Top level', root, sections, seen);
  for (const [name, def] of Object.entries(root.$defs!)) {
    const inner = container(def);
    if (name === 'behaviourStep' || !inner) continue;
    collect(`${name}${inner.suffix}`, `\`${name}\``, inner.schema, sections, seen, DEF_INTROS[name]);
  }
  sections.push({
    path: 'behaviours',
    title: 'behaviours',
    intro:
      'A script step names one behaviour: the name alone (`- close-without-response`) runs it with its defaults, `{name: options}` (`- sleep: 45s`, `- respond: {status: 500}`) with options. Steps run in order; `arr-lab list --behaviours` lists them too.',
    rows: [],
  });
  for (const b of behaviours) {
    const options = ((root.$defs!.behaviourStep!.anyOf!.find((s) => s.required?.[0] === b.name)!.properties![b.name]) as JsonSchema);
    const path = `behaviours.${b.name}`;
    const section: Section = { path, title: `behaviour \`${b.name}\``, intro: `${b.summary[0]!.toUpperCase()}${b.summary.slice(1)}. Value: ${valueOf(b.name, options)}.`, rows: [] };
    sections.push(section);
    if (options.properties) section.rows = rowsOf(path, [options]);
  }
  return sections;
}

function valueOf(name: string, options: JsonSchema): string {
  if (options.properties && Object.keys(options.properties).length === 0) return `no options; name it alone (\`- ${name}\`)`;
  if (options.properties) return `an object with the options below, all optional (\`- ${name}: {…}\`), or the name alone for the defaults`;
  return `a ${typeOf(options)} (\`- ${name}: …\`)`;
}

/** Keys without a description, so a new key cannot land undocumented. */
export function undocumentedKeys(): string[] {
  return scenarioSections().flatMap((s) => s.rows.filter((r) => !r.description).map((r) => r.path));
}

/** Descriptions in the table that name no key (a renamed or removed key). */
export function staleDescriptions(): string[] {
  const paths = new Set(scenarioSections().flatMap((s) => s.rows.map((r) => r.path)));
  return Object.keys(DESCRIPTIONS).filter((p) => !paths.has(p));
}

/** The JSON Schema with every key's description, as editors show it on hover. */
export function scenarioSchemaDocument(): JsonSchema {
  const root = structuredClone(scenarioJsonSchema());
  const describe = (path: string, schema: JsonSchema): void => {
    for (const branch of objectBranches(schema)) {
      for (const [key, child] of Object.entries(branch.properties!)) {
        const full = path ? `${path}.${key}` : key;
        if (!child.description && DESCRIPTIONS[full]) child.description = DESCRIPTIONS[full];
        const inner = container(child);
        if (inner) describe(`${full}${inner.suffix}`, inner.schema);
      }
    }
  };
  describe('', root);
  for (const [name, def] of Object.entries(root.$defs!)) {
    const inner = container(def);
    if (name !== 'behaviourStep' && inner) describe(`${name}${inner.suffix}`, inner.schema);
  }
  for (const step of root.$defs!.behaviourStep!.anyOf!) {
    const name = step.required?.[0];
    if (name) describe(`behaviours.${name}`, step.properties![name]!);
  }
  return root;
}

export function scenarioSchemaText(): string {
  return `${JSON.stringify(scenarioSchemaDocument(), null, 2)}\n`;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function scenarioReferenceMarkdown(): string {
  const sections = scenarioSections();
  const out: string[] = [
    '# Scenario reference',
    '',
    '<!-- Generated by `npm run schema` from the zod schema (lab/scenario/schema.ts and the schemas it uses); do not edit by hand. -->',
    '',
    'Every key a scenario file may hold, with its type, default, allowed values and meaning. The same',
    'schema, as JSON Schema, is [`docs/scenario.schema.json`](scenario.schema.json): point your editor at it',
    'and it completes keys, shows these descriptions on hover and marks typos as you type. With the',
    'YAML language server (VS Code\'s Red Hat YAML extension, and most editors that speak LSP), make this',
    'the first line of a scenario file under `scenarios/<folder>/`:',
    '',
    '```yaml fragment',
    '# yaml-language-server: $schema=../../docs/scenario.schema.json',
    '```',
    '',
    'The path is relative to the scenario file; `scripts/add-schema-line.sh` adds the line to every file',
    'under `scenarios/`. The test suite validates the whole catalog against the schema with ajv (the',
    'usual JSON Schema validator, a development dependency only), so an editor never flags a file the lab',
    'runs. The loader checks more than a JSON Schema can say (member names that exist, one key per action',
    'step, durations that parse); its messages name the file, line and key, and for an unknown key list the',
    'keys valid at that place and suggest the nearest one (edit distance from `fastest-levenshtein`, a small',
    'dependency-free package, rather than a hand-written one):',
    '',
    '```text',
    'scenarios/x.yaml: invalid scenario',
    '  line 8: farm.protocol.timout: unknown key "timout" (did you mean "timeout"?); valid keys here: httpVersion, keepAlive, timeout, …',
    '```',
    '',
    'Types: `timeSpan` is an IIS timeSpan (`00:00:30`) or a number of seconds; `duration` is `45s`,',
    '`1.5m`, `00:00:30` or a number of milliseconds. Both are nominal time on the lab clock, and both',
    'also take any unit the `ms` package reads (`250ms`, `40 seconds`, `2h`): a timeSpan written `35s` is',
    '35 seconds. A key in **bold** is required (where a table says *one of*, exactly one of its bold keys).',
    'Farm attributes keep their IIS names; [reference.md](reference.md) §1 says what ARR does with each and',
    'how sure we are.',
    '',
    '## Contents',
    '',
    ...sections.map((s) => `- [${s.title}](#${anchor(s.title)})`),
    '',
  ];
  for (const s of sections) {
    out.push(`## ${s.title}`, '');
    if (s.intro) out.push(s.intro, '');
    if (s.rows.length === 0) continue;
    out.push('| key | type | default | allowed | description |', '|---|---|---|---|---|');
    for (const r of s.rows) {
      out.push(`| ${r.required ? `**\`${r.key}\`**` : `\`${r.key}\``} | ${cell(r.type)} | ${cell(r.default)} | ${cell(r.allowed)} | ${cell(r.description ?? '')} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
