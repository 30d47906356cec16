import { relative } from 'node:path';
import Table from 'cli-table3';
import type { LoadedScenario } from '../scenario/load.ts';
import type { ScenarioResult } from '../scenario/run.ts';

export function scenarioTable(catalog: LoadedScenario[]): string {
  const table = new Table({ head: ['scenario', 'suites', 'description'], colWidths: [28, 10, 80], wordWrap: true });
  for (const { scenario } of catalog) table.push([scenario.name, scenario.suites.join(', '), scenario.description]);
  return table.toString();
}

export function resultTable(results: ScenarioResult[]): string {
  const table = new Table({ head: ['scenario', 'expected', 'observed', 'result', 'artifacts'] });
  for (const r of results) table.push([r.name, r.expected, r.observed, r.passed ? 'pass' : 'FAIL', relative(process.cwd(), r.dir) || '.']);
  return table.toString();
}

/** The checks that failed, one line each, so a red row says why. */
export function failures(results: ScenarioResult[]): string {
  return results
    .flatMap((r) => r.checks.filter((c) => !c.pass).map((c) => `  ${r.name} request ${c.request} ${c.subject} ${c.field}: expected ${c.expected}, got ${c.actual}`))
    .join('\n');
}
