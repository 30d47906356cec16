import { performance } from 'node:perf_hooks';
import type { TimingReport } from '../../core/clock.ts';
import type { ClientResult } from '../client.ts';
import type { InterruptSignal } from '../interrupt.ts';
import { Lab } from '../lab.ts';
import { finishRun, startRun } from '../output-folder.ts';
import { checkRun, type RequestOutcome } from './check-run.ts';
import type { Check } from './expectations.ts';
import type { LoadedScenario } from './load.ts';
import { recordRun } from './record-run.ts';
import { runSteps } from './run-steps.ts';
import { CONTAINER_MIN_TIME_SCALE, containerDriver } from '../containers/container-driver.ts';
import type { Scenario } from './schema.ts';

export interface RunOptions {
  /** The scenario's artifact folder: new, empty, or the lab's own from an earlier run (see output-folder.ts). */
  dir: string;
  timeScale: number;
  /** Wall-clock safety net for a scenario that never settles. */
  wallBudgetMs?: number;
  startAt?: number;
  /** Fixture mode: the same scenario and seed write the same bytes (see Lab's `deterministic`). */
  deterministic?: { seed: number };
  /** Ctrl-C / SIGTERM: no new request is sent, the lab stops (abandoning what is in flight) and the record is written. */
  signal?: InterruptSignal;
  /** Where the members run, whatever the scenario says (`arr-lab run --runtime`). */
  runtime?: Runtime;
}

export type Runtime = Scenario['runtime'];

/** The runtime and time scale a scenario runs at: the scenario's floor wins over a faster request. */
export function runSettings(scenario: Scenario, options: Pick<RunOptions, 'timeScale' | 'runtime'>): { runtime: Runtime; timeScale: number } {
  const runtime = options.runtime ?? scenario.runtime;
  const floor = scenario.minTimeScale ?? (runtime === 'containers' ? CONTAINER_MIN_TIME_SCALE : 0);
  return { runtime, timeScale: Math.max(options.timeScale, floor) };
}

export interface ScenarioResult {
  name: string;
  file: string;
  dir: string;
  passed: boolean;
  /** Every request's expected and observed outcome, counted: `200×11 503×2`. */
  expected: string;
  observed: string;
  /** Each request on its own (`--verbose`). */
  requests: RequestOutcome[];
  checks: Check[];
  client: ClientResult[];
  nominalMs: number;
  wallMs: number;
  /** How the lab kept its timing (see core/clock.ts); wall-dependent, so left out of fixtures. */
  timing: TimingReport;
  manifest: string;
  /** The signal that cut the run short; its expectations were not checked. */
  interrupted?: string;
}

/**
 * Runs one scenario in a fresh lab: its steps (run-steps.ts), then the checks of every expectation
 * against the client and the logs (check-run.ts), then the manifest (record-run.ts).
 */
export async function runScenario(loaded: LoadedScenario, options: RunOptions): Promise<ScenarioResult> {
  // Load scenarios bring autocannon: loaded only when a run has one.
  if (loaded.scenario.load) return (await import('../load/as-scenario.ts')).runLoadScenario(loaded, options);
  const { scenario } = loaded;
  const wallStart = performance.now();
  startRun(options.dir);
  const { runtime, timeScale } = runSettings(scenario, options);
  if (runtime === 'containers' && options.deterministic) throw new Error(`${scenario.name}: a container run cannot be deterministic (real hosts, real timers)`);
  const lab = await Lab.start(
    loaded.topology,
    {
      root: options.dir, timeScale, startAt: options.startAt, freb: scenario.tracing, errorMode: scenario.errorMode, deterministic: options.deterministic, windows: scenario.windows,
      driver: runtime === 'containers' ? containerDriver() : undefined,
    },
  );
  const run = await runSteps(lab, scenario, options);
  const verdict = checkRun(lab, scenario, run);
  const result: Omit<ScenarioResult, 'manifest'> = {
    name: scenario.name,
    file: loaded.file,
    dir: options.dir,
    ...verdict,
    client: run.sent.map((s) => s.result),
    nominalMs: run.nominalMs,
    wallMs: performance.now() - wallStart,
    timing: lab.clock.timing(),
    ...(run.interrupted ? { interrupted: run.interrupted } : {}),
  };
  const manifest = await recordRun(loaded, lab, run, verdict, { dir: options.dir, timeScale, runtime, deterministic: options.deterministic, wallMs: result.wallMs, timing: result.timing });
  finishRun(options.dir, run.interrupted ? 'interrupted' : 'complete');
  return { ...result, manifest };
}
