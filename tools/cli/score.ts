import { InvalidArgumentError, Option, type Command } from 'commander';

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
      // Loaded when the command runs: the CLI's other commands start without the scorer.
      const [{ scoreTool }, { render }] = await Promise.all([import('../score/score.ts'), import('./score-report.ts')]);
      const report = await scoreTool({ ...opts, parallel: Math.max(1, opts.parallel), timeoutMs: opts.timeout });
      console.log(opts.json ? JSON.stringify(report, null, 2) : render(report));
      process.exitCode = opts.failUnder !== undefined && report.failing.accuracy < opts.failUnder ? 1 : 0;
    });
}
