import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { resolveTargets } from '../catalog.ts';
import { runScenario, type ScenarioResult } from '../scenario/run.ts';
import { failures, resultTable } from './tables.ts';

/** Fixtures start at a fixed nominal instant so that their dates never change. */
export const FIXTURE_START = Date.UTC(2026, 0, 15, 9, 0, 0);

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('must be a whole number');
  return n;
}

/**
 * `arr-lab fixtures`: one bundle per scenario (every host's files and manifest.json) written in
 * deterministic mode, so two runs with the same seed produce byte-identical bundles.
 */
export function registerFixturesCommand(program: Command): void {
  program
    .command('fixtures')
    .description('write a labelled bundle per scenario (deterministic: same seed, same bytes)')
    .option('--suite <name...>', 'suites or scenario names to export', ['all'])
    .requiredOption('--out <dir>', 'folder for the bundles (one sub-folder per scenario)')
    .option('--seed <n>', 'seed for ids and modelled values', integer, 1)
    .action(async (opts: { suite: string[]; out: string; seed: number }) => {
      // Load runs interleave connections as the machine schedules them: they cannot repeat byte for byte.
      const scenarios = (await resolveTargets(opts.suite)).filter((l) => !l.scenario.load);
      const out = resolve(opts.out);
      const results: ScenarioResult[] = [];
      for (const loaded of scenarios) {
        results.push(
          await runScenario(loaded, {
            dir: join(out, loaded.scenario.name), timeScale: 0.001, startAt: FIXTURE_START, deterministic: { seed: opts.seed },
          }),
        );
      }
      console.log(resultTable(results));
      const failed = failures(results);
      if (failed) console.log(`\nFailed checks:\n${failed}`);
      console.log(`\n${results.length} bundles in ${out} (seed ${opts.seed})`);
      process.exitCode = results.every((r) => r.passed) ? 0 : 1;
    });
}
