import { join, resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseDuration } from '../../core/duration.ts';
import { resolveTargets } from '../catalog.ts';
import { writeLoadReport, textReport } from '../load/report.ts';
import { runLoad, type LoadSettings } from '../load/run-load.ts';

function whole(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('must be a whole number of at least 1');
  return n;
}

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

function duration(value: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0) throw new InvalidArgumentError('must be a duration such as 10s, 1m or 00:00:30');
  return ms;
}

function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

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
 * balances and the scenario's `load.expect` holds, 1 when not, 2 on bad input.
 */
export function registerLoadCommand(program: Command): void {
  program
    .command('load')
    .description("drive a scenario's lab with autocannon; report latency, throughput, outcomes per host and the accounting")
    .argument('<scenario>', 'a scenario file or a scenario name from the catalog (its first request is sent)')
    .option('--connections <n>', 'concurrent connections (default: the load section, else 10)', whole)
    .addOption(new Option('--duration <d>', 'wall time to run (10s, 1m; default 10 s)').argParser(duration).conflicts('amount'))
    .option('--amount <n>', 'requests to send instead of a duration', whole)
    .option('--rate <r>', 'overall requests per second (default: as fast as answers come)', positive)
    .addOption(new Option('--time-scale <x>', 'wall seconds per nominal second (1 = real time)').default(0.001).argParser(positive))
    .option('--out <dir>', 'run folder (default: out/load-<timestamp>/<scenario>)')
    .option('--json', 'print the report as JSON (no progress bar)')
    .action(async (target: string, opts: LoadCliOptions) => {
      const found = await resolveTargets([target]);
      if (found.length !== 1) throw new Error(`"${target}" names ${found.length} scenarios; load takes one`);
      const loaded = found[0]!;
      const overrides: Partial<LoadSettings> = {
        ...(opts.connections !== undefined ? { connections: opts.connections } : {}),
        ...(opts.duration !== undefined ? { duration: opts.duration } : {}),
        ...(opts.amount !== undefined ? { amount: opts.amount } : {}),
        ...(opts.rate !== undefined ? { rate: opts.rate } : {}),
      };
      const dir = resolve(opts.out ?? join('out', `load-${stamp()}`, loaded.scenario.name));
      const run = await runLoad(loaded, { dir, timeScale: opts.timeScale, overrides, progress: !opts.json && process.stderr.isTTY === true });
      const files = await writeLoadReport(run);
      console.log(opts.json ? JSON.stringify({ ...run, report: files }, null, 2) : `${textReport(run)}\nreport: ${files.md}`);
      process.exitCode = run.passed ? 0 : 1;
    });
}
