import { Command, InvalidArgumentError, Option } from 'commander';
import { exportFixtures } from '../fixture-index/export.ts';
import { failures, resultTable } from './tables.ts';

export { FIXTURE_START } from '../fixture-index/export.ts';

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number');
  return n;
}

/**
 * `arr-lab fixtures`: one labelled bundle per scenario (every host's files and manifest.json), and
 * at the root `index.json` (labels, files, evidence lines) with its JSON Schema. Deterministic:
 * the same seed writes the same bytes, load bundles excepted (docs/tools.md).
 */
export function registerFixturesCommand(program: Command): void {
  program
    .command('fixtures')
    .description('write a labelled bundle per scenario and index.json (deterministic: same seed, same bytes)')
    .option('--suite <name...>', 'suites or scenario names to export', ['all'])
    .requiredOption('--out <dir>', 'folder for the bundles (one sub-folder per scenario)')
    .option('--seed <n>', 'seed for ids, ports and modelled jitter', integer, 1)
    .addOption(new Option('--set <set>', 'tuning (scenarios as written) or held-out (another day, midnight, Windows versions)').choices(['tuning', 'held-out']).default('tuning'))
    .action(async (opts: { suite: string[]; out: string; seed: number; set: 'tuning' | 'held-out' }) => {
      const { index, results, indexFile } = await exportFixtures({ targets: opts.suite, out: opts.out, seed: opts.seed, set: opts.set });
      console.log(resultTable(results));
      const failed = failures(results);
      if (failed) console.log(`\nFailed checks:\n${failed}`);
      const t = index.totals;
      console.log(`\n${t.bundles} bundles, ${t.requests} labelled requests (${t.failingRequests} failing), ${t.logEntries} log entries, ${t.classes.length} fault classes; index ${indexFile} (seed ${opts.seed}, ${opts.set})`);
      process.exitCode = results.every((r) => r.passed) ? 0 : 1;
    });
}
