import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { claimFolder } from '../output-folder.ts';
import type { Runtime, ScenarioResult } from '../scenario/run.ts';
import { EXIT } from './exit.ts';
import { watchInterrupts } from './interrupts.ts';
import { stamp, timeScale, TIME_SCALE_DEFAULT } from './options.ts';

interface RunCliOptions {
  out?: string;
  timeScale: number;
  json?: boolean;
  verbose?: boolean;
  runtime?: Runtime;
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('run scenarios (files, folders, suite names or scenario names) and check their expectations')
    .argument('[targets...]', 'scenario files, folders of them, suite names (seeds, all) or scenario names', ['seeds'])
    .option('--out <dir>', 'artifact folder: new, empty or made by arr-lab before (default: out/run-<timestamp>)')
    .addOption(new Option('--time-scale <x>', 'wall seconds per nominal second, 0.0001 to 1 (1 = real time)').default(TIME_SCALE_DEFAULT).argParser(timeScale))
    .option('--json', 'print the results as JSON instead of a table')
    .option('--verbose', 'a row for every request, not one per scenario')
    .addOption(new Option('--runtime <where>', 'where members run, whatever the scenarios say (containers: docs/containers.md)').choices(['in-process', 'containers']))
    .action(async (targets: string[], opts: RunCliOptions) => {
      process.exitCode = await runCommand(targets, opts);
    });
}

/**
 * `arr-lab run`: exit code 0 only when every expectation of every scenario held; on Ctrl-C or
 * SIGTERM the scenario under way is stopped and recorded, the summary so far printed, and the
 * code is 130 / 143.
 */
export async function runCommand(targets: string[], opts: RunCliOptions): Promise<number> {
  // Loaded when the command runs, so `arr-lab --help` and the light commands start at once.
  const [{ resolveTargets }, { runScenario }, { failures, requestTable, resultTable, shownPath }] = await Promise.all([
    import('../catalog.ts'), import('../scenario/run.ts'), import('./tables.ts'),
  ]);
  const listed = await resolveTargets(targets);
  // Without a Docker engine the scenarios that need one are not started (a lab never starts half
  // built); the others run, and the summary names what was left out and why.
  const needsEngine = listed.filter((l) => (opts.runtime ?? l.scenario.runtime) === 'containers');
  const noEngine = needsEngine.length > 0 ? await (await import('../containers/docker.ts')).dockerUnavailable() : undefined;
  const skipped = noEngine ? needsEngine.map((l) => l.scenario.name) : [];
  const scenarios = noEngine ? listed.filter((l) => !needsEngine.includes(l)) : listed;
  const out = resolve(opts.out ?? join('out', `run-${stamp()}`));
  claimFolder(out, 'collection');
  const interrupts = watchInterrupts();
  const results: ScenarioResult[] = [];
  for (const loaded of scenarios) {
    if (interrupts.signal.aborted) break;
    results.push(await runScenario(loaded, { dir: join(out, loaded.scenario.name), timeScale: opts.timeScale, signal: interrupts.signal, runtime: opts.runtime }));
  }
  const passed = skipped.length === 0 && results.length === scenarios.length && results.every((r) => r.passed);
  const interrupted = interrupts.signal.aborted ? String(interrupts.signal.reason) : undefined;
  const noContainers = noEngine ? `${skipped.length} scenario(s) need containers and were not run: ${noEngine}` : undefined;
  if (opts.json) {
    const report = {
      out,
      passed,
      ...(interrupted ? { interrupted } : {}),
      ...(interrupted || noEngine ? { notRun: [...skipped, ...scenarios.slice(results.length).map((l) => l.scenario.name)] } : {}),
      ...(noEngine ? { noContainers: noEngine } : {}),
      scenarios: results.map(({ client: _client, ...r }) => r),
    };
    console.log(JSON.stringify(report, null, 2));
  } else {
    console.log(opts.verbose ? requestTable(results) : resultTable(results));
    const failed = failures(results);
    if (failed) console.log(`\nFailed checks:\n${failed}`);
    const nominal = results.reduce((a, r) => a + r.nominalMs, 0);
    const wall = results.reduce((a, r) => a + r.wallMs, 0);
    if (noContainers) console.log(`\n${noContainers}: ${skipped.join(', ')}`);
    console.log(
      `\n${results.filter((r) => r.passed).length}/${listed.length} scenarios passed; ` +
        `${(nominal / 1000).toFixed(1)} s nominal in ${(wall / 1000).toFixed(2)} s wall; artifacts in ${shownPath(out)}` +
        (interrupted ? `\ninterrupted by ${interrupted}: ${scenarios.length - results.length} not run` : ''),
    );
    const late = lateTimers(results);
    if (late) console.log(late);
  }
  return interrupts.exitCode(passed ? EXIT.passed : EXIT.failed);
}

/**
 * Says when the lab could not keep wall time (docs/time.md): request times stay right, but a
 * scenario that races real time (a client's own timeout) may not have raced as intended.
 */
function lateTimers(results: readonly ScenarioResult[]): string | undefined {
  const late = results.filter((r) => r.timing.late > 0);
  if (late.length === 0) return undefined;
  const timers = late.reduce((n, r) => n + r.timing.late, 0);
  const worst = Math.max(...late.map((r) => r.timing.maxLateWallMs));
  return `timing: ${timers} timer(s) in ${late.length} scenario(s) fired more than 20 ms of wall time late (worst ${worst} ms; the machine is busy); logged times are unaffected, see each manifest's run.timing`;
}
