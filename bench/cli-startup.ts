import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { spread, type Spread } from './stats.ts';

export interface CliStartupConfig {
  /** hyperfine runs per command (after its warm-up runs). */
  runs: number;
  warmup: number;
  /** `run all` processes. */
  catalogRounds: number;
}

/** Issue 15's targets: a short command answers within 0.3 s; `run all` costs at most 1 s above the lab's own figure. */
export const TARGET_SHORT_S = 0.3;
export const TARGET_RUN_ALL_OVERHEAD_S = 1;

export interface CliStartupResult {
  config: CliStartupConfig;
  /** Wall seconds per process, as hyperfine measured them; `node -e 0` is the floor. */
  commands: { command: string; wallS: Spread; userS: number; systemS: number }[];
  runAll: { scenarios: number; processS: Spread; labS: Spread; overheadS: Spread };
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'arr-lab.mjs');

interface HyperfineJson {
  results: { command: string; times: number[]; user: number; system: number }[];
}

/**
 * Part 5: how fast the installed CLI answers. hyperfine times whole processes (no shell, `-N`)
 * of `arr-lab --help` and `arr-lab decode 0x80072ee2` beside `node -e 0`, the floor no Node CLI
 * goes under; then `arr-lab run all` runs as a process, whose wall time is set against the lab's
 * own figure for the same run (the sum of its scenarios' wall times, as its summary line prints).
 */
export async function cliStartup(config: CliStartupConfig, tmp: string, log: (s: string) => void): Promise<CliStartupResult> {
  const build = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-cli.mjs')], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the CLI did not build');
  const exported = join(tmp, 'hyperfine.json');
  const commands = ['node -e 0', `node ${BIN} --help`, `node ${BIN} decode 0x80072ee2`];
  const hf = spawnSync('hyperfine', ['-N', '--warmup', String(config.warmup), '--runs', String(config.runs), '--export-json', exported, ...commands], { encoding: 'utf8' });
  if (hf.status !== 0) throw new Error(`hyperfine failed: ${hf.stderr}`);
  const results = (JSON.parse(readFileSync(exported, 'utf8')) as HyperfineJson).results.map((r) => ({
    command: r.command.replace(BIN, 'bin/arr-lab.mjs'),
    wallS: spread(r.times),
    userS: r.user,
    systemS: r.system,
  }));
  for (const r of results) log(`  ${r.command}: ${r.wallS.median.toFixed(3)} s median`);

  const process_: number[] = [];
  const lab: number[] = [];
  let scenarios = 0;
  for (let i = 0; i < config.catalogRounds; i++) {
    const started = performance.now();
    const run = spawnSync(process.execPath, [BIN, 'run', 'all', '--out', join(tmp, 'catalog'), '--json'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    const wallS = (performance.now() - started) / 1000;
    const report = JSON.parse(run.stdout) as { scenarios: { wallMs: number }[] };
    scenarios = report.scenarios.length;
    process_.push(wallS);
    lab.push(report.scenarios.reduce((a, s) => a + s.wallMs, 0) / 1000);
    log(`  run all, round ${i + 1}: ${wallS.toFixed(2)} s as a process, ${lab.at(-1)!.toFixed(2)} s by the lab's figure`);
  }
  return {
    config,
    commands: results,
    runAll: { scenarios, processS: spread(process_), labS: spread(lab), overheadS: spread(process_.map((p, i) => p - lab[i]!)) },
  };
}
