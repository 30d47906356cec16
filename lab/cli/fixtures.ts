import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { claimFolder } from '../output-folder.ts';
import type { ScenarioResult } from '../scenario/run.ts';
import { EXIT } from './exit.ts';
import { watchInterrupts } from './interrupts.ts';
import { wholeIn } from './options.ts';

/** Fixtures start at a fixed nominal instant so that their dates never change. */
export const FIXTURE_START = Date.UTC(2026, 0, 15, 9, 0, 0);

/**
 * `arr-lab fixtures`: one bundle per scenario (every host's files and manifest.json) written in
 * deterministic mode, so two runs with the same seed produce byte-identical bundles.
 */
export function registerFixturesCommand(program: Command): void {
  program
    .command('fixtures')
    .description('write a labelled bundle per scenario (deterministic: same seed, same bytes)')
    .option('--suite <name...>', 'suites or scenario names to export', ['all'])
    .requiredOption('--out <dir>', 'folder for the bundles (one sub-folder per scenario): new, empty or made by arr-lab before')
    .option('--seed <n>', 'seed for ids and modelled values, 0 to 4,294,967,295', wholeIn(0, 2 ** 32 - 1), 1)
    .action(async (opts: { suite: string[]; out: string; seed: number }) => {
      const [{ resolveTargets }, { runScenario }, { failures, resultTable }] = await Promise.all([
        import('../catalog.ts'), import('../scenario/run.ts'), import('./tables.ts'),
      ]);
      // Load runs interleave connections as the machine schedules them, and container runs have
      // real hosts and timers: neither can repeat byte for byte.
      const scenarios = (await resolveTargets(opts.suite)).filter((l) => !l.scenario.load && l.scenario.runtime !== 'containers');
      const out = resolve(opts.out);
      claimFolder(out, 'collection');
      const interrupts = watchInterrupts();
      const results: ScenarioResult[] = [];
      for (const loaded of scenarios) {
        if (interrupts.signal.aborted) break;
        results.push(
          await runScenario(loaded, {
            dir: join(out, loaded.scenario.name), timeScale: 0.001, startAt: FIXTURE_START, deterministic: { seed: opts.seed }, signal: interrupts.signal,
          }),
        );
      }
      console.log(resultTable(results));
      const failed = failures(results);
      if (failed) console.log(`\nFailed checks:\n${failed}`);
      console.log(`\n${results.length} bundles in ${out} (seed ${opts.seed})${interrupts.signal.aborted ? `; interrupted by ${String(interrupts.signal.reason)}: ${scenarios.length - results.length} not written` : ''}`);
      process.exitCode = interrupts.exitCode(results.every((r) => r.passed) ? EXIT.passed : EXIT.failed);
    });
}
