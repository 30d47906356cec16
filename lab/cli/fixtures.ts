import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { claimFolder } from '../output-folder.ts';
import { EXIT } from './exit.ts';
import { watchInterrupts } from './interrupts.ts';
import { wholeIn } from './options.ts';

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
    .requiredOption('--out <dir>', 'folder for the bundles (one sub-folder per scenario): new, empty or made by arr-lab before')
    .option('--seed <n>', 'seed for ids, ports and modelled jitter, 0 to 4,294,967,295', wholeIn(0, 2 ** 32 - 1), 1)
    .addOption(new Option('--set <set>', 'tuning (scenarios as written) or held-out (another day, midnight, Windows versions)').choices(['tuning', 'held-out']).default('tuning'))
    .action(async (opts: { suite: string[]; out: string; seed: number; set: 'tuning' | 'held-out' }) => {
      const [{ exportFixtures }, { failures, resultTable }] = await Promise.all([import('../fixture-index/export.ts'), import('./tables.ts')]);
      const out = resolve(opts.out);
      claimFolder(out, 'collection');
      const interrupts = watchInterrupts();
      const { index, results, indexFile, skipped } = await exportFixtures({ targets: opts.suite, out, seed: opts.seed, set: opts.set, signal: interrupts.signal });
      console.log(resultTable(results));
      const failed = failures(results);
      if (failed) console.log(`\nFailed checks:\n${failed}`);
      if (index) {
        const t = index.totals;
        console.log(`\n${t.bundles} bundles, ${t.requests} labelled requests (${t.failingRequests} failing), ${t.logEntries} log entries, ${t.classes.length} fault classes; index ${indexFile} (seed ${opts.seed}, ${opts.set})`);
      } else {
        console.log(`\n${results.length} bundles in ${out}; interrupted by ${String(interrupts.signal.reason)}: ${skipped} not written, and no index`);
      }
      process.exitCode = interrupts.exitCode(results.every((r) => r.passed) ? EXIT.passed : EXIT.failed);
    });
}
