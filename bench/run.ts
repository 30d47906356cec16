import { spawnSync } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cliStartup, type CliStartupConfig } from './cli-startup.ts';
import { fuzzFront, type FuzzConfig } from './fuzz.ts';
import { faultStorm, type StormConfig } from './storm.ts';
import { load1, machine } from './machine.ts';
import { memoryAtScale, type MemoryConfig } from './memory.ts';
import { nginxBinary } from './nginx.ts';
import { proxyCost, type ProxyCostConfig } from './proxy-cost.ts';
import { previousSummaries, renderResults, summaryTable, type BenchRun } from './report.ts';
import { timeCompression, type TimeCompressionConfig } from './time-compression.ts';
import { timeoutPrecision, type TimeoutPrecisionConfig } from './timeout-precision.ts';

/**
 * `npm run bench`: the six measurements of bench/RESULTS.md, one after the other (never two at
 * once, so they do not share the cores), each bounded in wall time.
 */
const BENCH = fileURLToPath(new URL('.', import.meta.url));
const PARTS = ['proxy', 'catalog', 'timeout', 'memory', 'cli', 'fuzz', 'storm'] as const;
type Part = (typeof PARTS)[number];

interface Preset {
  proxy: ProxyCostConfig;
  catalog: TimeCompressionConfig;
  timeout: TimeoutPrecisionConfig;
  memory: MemoryConfig;
  cli: CliStartupConfig;
  fuzz: FuzzConfig;
  storm: StormConfig;
  /** Wall seconds each part may take before the bench gives up on it. */
  budgetS: Record<Part, number>;
}

const FULL: Preset = {
  proxy: { rounds: 5, durationS: 5, warmupS: 2, threads: 1, connections: 32, profile: false },
  catalog: { rounds: 5, timeScale: 0.001, budgetMs: 90_000 },
  timeout: { rounds: 3, probes: 20, spacingMs: 150, threads: 1, connections: 32, capacityS: 5 },
  memory: { rounds: 3, held: 10_000, warmups: 200, holdWithinMs: 120_000, profile: false },
  cli: { runs: 20, warmup: 3, catalogRounds: 3 },
  fuzz: { durationS: 600, concurrency: 16 },
  storm: { requests: 100_000, connections: 50, timeScale: 0.001, clientTimeoutMs: 10_000 },
  budgetS: { proxy: 300, catalog: 180, timeout: 240, memory: 480, cli: 180, fuzz: 720, storm: 600 },
};

const QUICK: Preset = {
  proxy: { rounds: 2, durationS: 1, warmupS: 1, threads: 1, connections: 32, profile: false },
  catalog: { rounds: 1, timeScale: 0.001, budgetMs: 30_000 },
  timeout: { rounds: 1, probes: 8, spacingMs: 150, threads: 1, connections: 32, capacityS: 2 },
  memory: { rounds: 1, held: 2_000, warmups: 100, holdWithinMs: 60_000, profile: false },
  cli: { runs: 5, warmup: 1, catalogRounds: 1 },
  fuzz: { durationS: 30, concurrency: 16 },
  storm: { requests: 10_000, connections: 50, timeScale: 0.001, clientTimeoutMs: 10_000 },
  budgetS: { proxy: 120, catalog: 120, timeout: 120, memory: 180, cli: 120, fuzz: 120, storm: 120 },
};

const HELP = `usage: tsx bench/run.ts [--quick] [--only proxy,catalog,timeout,memory,cli,fuzz,storm] [--profile] [--out FILE] [--keep]
  --quick    short rounds for development (writes bench/tmp/RESULTS-quick.md unless --out)
  --only     run only these parts
  --profile  profile the controller (CPU, part 1) and both hosts (heap, part 4) even when the targets are met
  --out      where to write the results (default bench/RESULTS.md)
  --keep     keep bench/tmp (hosts' logs, nginx config, profiles)`;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    out: { type: 'string' },
    keep: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const only = (values.only ?? PARTS.join(',')).split(',').map((s) => s.trim());
for (const p of only) {
  if (!(PARTS as readonly string[]).includes(p)) {
    console.error(`bench: unknown part "${p}" (parts: ${PARTS.join(', ')})\n${HELP}`);
    process.exit(2);
  }
}
const preset = values.quick ? QUICK : FULL;
preset.proxy.profile = values.profile;
preset.memory.profile = values.profile;
const out = resolve(values.out ?? (values.quick ? join(BENCH, 'tmp', 'RESULTS-quick.md') : join(BENCH, 'RESULTS.md')));

if (spawnSync('wrk', ['-v']).error) {
  console.error('bench: wrk not found; run bench/install-tools.sh (npm run bench does)');
  process.exit(2);
}
nginxBinary();

const started = performance.now();
const log = (s: string) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s] ${s}`);
const run: BenchRun = {
  startedAt: new Date(),
  wallS: 0,
  mode: values.quick ? 'quick' : 'full',
  machine: machine(),
  load: { start: load1(), end: 0 },
  failures: [],
  previous: previousSummaries(await readFile(out, 'utf8').catch(() => '')),
};

const TITLES: Record<Part, string> = {
  proxy: '1. Proxy cost',
  catalog: '2. Time compression',
  timeout: '3. Timeout precision',
  memory: '4. Memory at scale',
  cli: '5. CLI start-up',
  fuzz: '6. Fuzzing the http.sys front',
  storm: '7. Fault storm',
};

/** Runs one part within its wall budget; a part that overruns ends the bench (its processes with it). */
async function part<T>(name: Part, fn: (tmp: string) => Promise<T>): Promise<T | undefined> {
  if (!only.includes(name)) return undefined;
  const tmp = join(BENCH, 'tmp', name);
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  log(`${TITLES[name]} (budget ${preset.budgetS[name]} s)`);
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`overran its ${preset.budgetS[name]} s budget`)), preset.budgetS[name] * 1000);
  });
  try {
    return await Promise.race([fn(tmp), overrun]);
  } catch (err) {
    const error = (err as Error).message ?? String(err);
    log(`${TITLES[name]} failed: ${error}`);
    run.failures.push({ part: TITLES[name], error });
    if (error.startsWith('overran')) await finish(1);
    return undefined;
  } finally {
    clearTimeout(timer);
    if (!values.keep) await rm(tmp, { recursive: true, force: true });
  }
}

async function finish(code: number): Promise<never> {
  run.wallS = (performance.now() - started) / 1000;
  run.load.end = load1();
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, renderResults(run));
  console.log(`\n${summaryTable(run)}\n\nwritten to ${out} (${run.wallS.toFixed(0)} s)`);
  // Exiting also kills, by pid, any child a failed part left behind (bench/children.ts).
  process.exit(code);
}

run.proxyCost = await part('proxy', (tmp) => proxyCost(preset.proxy, tmp, log));
run.timeCompression = await part('catalog', (tmp) => timeCompression(preset.catalog, tmp, log));
run.timeoutPrecision = await part('timeout', (tmp) => timeoutPrecision(preset.timeout, tmp, log));
run.memory = await part('memory', (tmp) => memoryAtScale(preset.memory, tmp, log));
run.cliStartup = await part('cli', (tmp) => cliStartup(preset.cli, tmp, log));
run.fuzz = await part('fuzz', (tmp) => fuzzFront(preset.fuzz, tmp, log));
run.storm = await part('storm', () => faultStorm(preset.storm));
await finish(run.failures.length > 0 ? 1 : 0);
