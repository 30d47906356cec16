import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { InputError } from '../../core/input-error.ts';
import { LOAD_LIMITS } from '../load/limits.ts';
import type { LoadSettings } from '../load/run-load.ts';
import { claimFolder, finishRun } from '../output-folder.ts';
import { EXIT } from './exit.ts';
import { watchInterrupts } from './interrupts.ts';
import { durationIn, numberIn, stamp, timeScale, TIME_SCALE_DEFAULT, wholeIn } from './options.ts';


interface LoadCliOptions {
  connections?: number;
  duration?: number;
  amount?: number;
  rate?: number;
  timeScale: number;
  out?: string;
  json?: boolean;
}

/**
 * `arr-lab load`: drives one scenario's lab with autocannon and reports latency, throughput, the
 * outcomes on the client and in every host's logs, and the accounting. Exit 0 when the accounting
 * balances and the scenario's `load.expect` holds, 1 when not, 2 on bad input, 130 / 143 when
 * interrupted (the report then says how far the run got, and still reconciles).
 */
export function registerLoadCommand(program: Command): void {
  program
    .command('load')
    .description("drive a scenario's lab with autocannon; report latency, throughput, outcomes per host and the accounting")
    .argument('<scenario>', 'a scenario file or a scenario name from the catalog (its first request is sent)')
    .option('--connections <n>', `concurrent connections, 1 to ${LOAD_LIMITS.connections} (default: the load section, else 10)`, wholeIn(1, LOAD_LIMITS.connections))
    .addOption(new Option('--duration <d>', 'wall time to run, 100ms to 24h (10s, 1m; default 10 s)').argParser(durationIn(LOAD_LIMITS.minDurationMs, LOAD_LIMITS.maxDurationMs, ['100ms', '24h'])).conflicts('amount'))
    .option('--amount <n>', `requests to send instead of a duration, 1 to ${LOAD_LIMITS.amount.toLocaleString('en-US')}`, wholeIn(1, LOAD_LIMITS.amount))
    .option('--rate <r>', `overall requests per second, 1 to ${LOAD_LIMITS.maxRate.toLocaleString('en-US')} (default: as fast as answers come)`, numberIn(LOAD_LIMITS.minRate, LOAD_LIMITS.maxRate))
    .addOption(new Option('--time-scale <x>', 'wall seconds per nominal second, 0.0001 to 1 (1 = real time)').default(TIME_SCALE_DEFAULT).argParser(timeScale))
    .option('--out <dir>', 'run folder: new, empty or made by arr-lab before (default: out/load-<timestamp>/<scenario>)')
    .option('--json', 'print the report as JSON (no progress bar)')
    .action(async (target: string, opts: LoadCliOptions) => {
      const [{ resolveTargets }, { writeLoadReport, textReport }, { runLoad }] = await Promise.all([
        import('../catalog.ts'), import('../load/report.ts'), import('../load/run-load.ts'),
      ]);
      const found = await resolveTargets([target]);
      if (found.length !== 1) throw new InputError(`"${target}" names ${found.length} scenarios; load takes one`);
      const loaded = found[0]!;
      const overrides: Partial<LoadSettings> = {
        ...(opts.connections !== undefined ? { connections: opts.connections } : {}),
        ...(opts.duration !== undefined ? { duration: opts.duration } : {}),
        ...(opts.amount !== undefined ? { amount: opts.amount } : {}),
        ...(opts.rate !== undefined ? { rate: opts.rate } : {}),
      };
      const dir = resolve(opts.out ?? join('out', `load-${stamp()}`, loaded.scenario.name));
      claimFolder(dir, 'run');
      const interrupts = watchInterrupts();
      const run = await runLoad(loaded, { dir, timeScale: opts.timeScale, overrides, progress: !opts.json && process.stderr.isTTY === true, signal: interrupts.signal });
      const files = await writeLoadReport(run);
      finishRun(dir, run.interrupted ? 'interrupted' : 'complete');
      console.log(opts.json ? JSON.stringify({ ...run, report: files }, null, 2) : `${textReport(run)}\nreport: ${files.md}`);
      process.exitCode = interrupts.exitCode(run.passed ? EXIT.passed : EXIT.failed);
    });
}
