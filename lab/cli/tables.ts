import { isAbsolute, relative } from 'node:path';
import Table from 'cli-table3';
import type { LoadedScenario } from '../scenario/load.ts';
import type { ScenarioResult } from '../scenario/run.ts';

/**
 * Colour only for a person at a terminal who has not asked for none (https://no-color.org):
 * piped output and files stay plain text.
 */
export function colour(stream: NodeJS.WriteStream = process.stdout): boolean {
  return stream.isTTY === true && !process.env.NO_COLOR;
}

/** cli-table3 paints heads and borders unless told not to. */
export function tableStyle(compact: boolean): { compact: boolean; head?: string[]; border?: string[] } {
  return colour() ? { compact } : { head: [], border: [], compact };
}

/** One line per row (no rule between rows), so a run of the whole catalog fits a screen. */
function table(head: string[], options: ConstructorParameters<typeof Table>[0] = {}): Table.Table {
  return new Table({ head, ...options, style: tableStyle(true) });
}

/** Names are never cut (they are copied into commands); only the description wraps. */
export function scenarioTable(catalog: LoadedScenario[]): string {
  const width = process.stdout.columns ?? 120;
  const nameWidth = Math.max(...catalog.map((l) => l.scenario.name.length), 8) + 2;
  const suitesWidth = Math.max(...catalog.map((l) => l.scenario.suites.join(', ').length), 6) + 2;
  const description = Math.max(30, width - nameWidth - suitesWidth - 4);
  const t = table(['scenario', 'suites', 'description'], { colWidths: [nameWidth, suitesWidth, description], wordWrap: true });
  for (const { scenario } of catalog) t.push([scenario.name, scenario.suites.join(', '), scenario.description]);
  return t.toString();
}

const verdict = (r: ScenarioResult) => (r.interrupted ? `interrupted (${r.interrupted})` : r.passed ? 'pass' : 'FAIL');

/** One row per scenario; expected and observed count every request's outcome (`200×11 503×2`). */
export function resultTable(results: ScenarioResult[]): string {
  const t = table(['scenario', 'requests', 'expected', 'observed', 'result', 'artifacts']);
  for (const r of results) {
    t.push([r.name, r.requests.length ? String(r.requests.length) : '-', r.expected, r.observed, verdict(r), shownPath(r.dir)]);
  }
  return t.toString();
}

/** `--verbose`: one row per request. */
export function requestTable(results: ScenarioResult[]): string {
  const t = table(['scenario', 'request', 'expected', 'observed', 'result']);
  for (const r of results) {
    if (r.requests.length === 0) t.push([r.name, '-', r.expected, r.observed, verdict(r)]);
    for (const q of r.requests) t.push([r.name, q.id, q.expected, q.observed, r.interrupted ? 'interrupted' : q.passed ? 'pass' : 'FAIL']);
  }
  return t.toString();
}

/** The checks that failed, one line each, so a red row says why. */
export function failures(results: ScenarioResult[]): string {
  return results
    .flatMap((r) => r.checks.filter((c) => !c.pass).map((c) => `  ${r.name} request ${c.request} ${c.subject} ${c.field}: expected ${c.expected}, got ${c.actual}`))
    .join('\n');
}

/** A folder as a person finds it: relative to where they are when it is below, else absolute. */
export function shownPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}
