import Table from 'cli-table3';
import { tableStyle } from '../../lab/cli/tables.ts';
import type { Scores } from '../score/metrics.ts';
import type { ScoreReport } from '../score/score.ts';

/** `arr-lab score`'s report for a terminal: the headline shares, per-class tables, the confusion matrix. */
const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);

function classTable(s: Scores): string {
  const table = new Table({ head: ['class', 'support', 'predicted', 'precision', 'recall'], style: tableStyle(false) });
  for (const c of s.classes) table.push([c.class, c.support, c.predicted, pct(c.precision), pct(c.recall)]);
  return table.toString();
}

/** Rows are the labels, columns the answers, numbered as the rows so that the table fits a terminal. */
function confusionTable(s: Scores): string {
  const names = s.classes.map((c) => c.class);
  const table = new Table({ head: ['truth \\ answer', ...names.map((_, i) => String(i + 1))], style: tableStyle(false) });
  names.forEach((truth, i) => table.push([`${i + 1} ${truth}`, ...names.map((p) => s.confusion[truth]?.[p] ?? '')]));
  return table.toString();
}

export function render(r: ScoreReport): string {
  const errors = r.outcomes.filter((o) => o.error).map((o) => `  ${o.bundle}: ${o.error}`);
  return [
    `tool: ${r.tool}`,
    `fixtures: ${r.fixtures} (${r.set}, seed ${r.seed}), ${r.bundles} bundles, ${r.seconds.toFixed(1)} s`,
    '',
    `failing requests named correctly: ${r.failing.correct}/${r.failing.total} (${pct(r.failing.accuracy)})`,
    `bundles named correctly: ${r.bundleScores.correct}/${r.bundleScores.total} (${pct(r.bundleScores.accuracy)})`,
    '',
    'per request (every labelled request, healthy included):',
    classTable(r.requests),
    '',
    'confusion matrix (requests):',
    confusionTable(r.requests),
    '',
    'per bundle:',
    classTable(r.bundleScores),
    ...(errors.length ? ['', 'no usable answer:', ...errors] : []),
  ].join('\n');
}
