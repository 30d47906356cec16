import Table from 'cli-table3';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Scores } from '../score/metrics.ts';
import type { ScoreReport } from '../score/score.ts';

function whole(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number');
  return n;
}

function ratio(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('must be between 0 and 1');
  return n;
}

export function registerScoreCommand(program: Command): void {
  program
    .command('score')
    .description('run a diagnostic tool over every fixture bundle and score its fault classes against the labels')
    .requiredOption('--tool <command>', 'shell command run per bundle, {bundle} replaced by the bundle folder; prints a JSON answer (docs/tools.md)')
    .option('--fixtures <dir>', 'an arr-lab fixtures output to score on (default: export the catalog to a temporary folder)')
    .option('--suite <name...>', 'suites or scenario names', ['all'])
    .option('--seed <n>', 'seed of the export (without --fixtures)', whole, 1)
    .addOption(new Option('--set <set>', 'tuning or held-out export (without --fixtures)').choices(['tuning', 'held-out']).default('tuning'))
    .option('--junit <file>', 'also write JUnit XML: one test case per bundle')
    .option('--json', 'print the report as JSON')
    .option('--parallel <n>', 'tool runs at once', whole, 4)
    .option('--timeout <ms>', 'per-bundle limit for the tool', whole, 60_000)
    .option('--fail-under <ratio>', 'exit 1 when the share of failing requests named correctly is below this', ratio)
    .action(async (opts: { tool: string; fixtures?: string; suite: string[]; seed: number; set: 'tuning' | 'held-out'; junit?: string; json?: boolean; parallel: number; timeout: number; failUnder?: number }) => {
      const { scoreTool } = await import('../score/score.ts');
      const report = await scoreTool({ ...opts, parallel: Math.max(1, opts.parallel), timeoutMs: opts.timeout });
      console.log(opts.json ? JSON.stringify(report, null, 2) : render(report));
      process.exitCode = opts.failUnder !== undefined && report.failing.accuracy < opts.failUnder ? 1 : 0;
    });
}

const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);

function classTable(s: Scores): string {
  const table = new Table({ head: ['class', 'support', 'predicted', 'precision', 'recall'] });
  for (const c of s.classes) table.push([c.class, c.support, c.predicted, pct(c.precision), pct(c.recall)]);
  return table.toString();
}

/** Rows are the labels, columns the answers, numbered as the rows so that the table fits a terminal. */
function confusionTable(s: Scores): string {
  const names = s.classes.map((c) => c.class);
  const table = new Table({ head: ['truth \\ answer', ...names.map((_, i) => String(i + 1))] });
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
