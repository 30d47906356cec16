import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { resolveTargets } from '../catalog.ts';
import { FAULT_CLASSES, type FaultClassId } from '../diagnosis/taxonomy.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import { runScenario, type ScenarioResult } from '../scenario/run.ts';
import type { WindowsVersion } from '../../iis/windows-versions.ts';
import { buildBundle } from './build.ts';
import { fixtureIndexJsonSchema, fixtureIndexSchema, type Bundle, type FixtureIndex } from './schema.ts';

/** Fixtures start at a fixed nominal instant so that their dates never change. */
export const FIXTURE_START = Date.UTC(2026, 0, 15, 9, 0, 0);
/** Load bundles start just before UTC midnight, so their logs roll over to a second u_ex file. */
export const LOAD_START = Date.UTC(2026, 0, 15, 23, 59, 50);
/** The held-out set: another day, every bundle starting a minute before midnight. */
export const HELD_OUT_START = Date.UTC(2026, 2, 1, 23, 59, 0);
/** Windows versions the held-out set rotates through (the catalog defaults to 2019). */
/** Bundles exported at once: labs wait on their clocks most of the time. */
const BUNDLES_AT_ONCE = 3;
const HELD_OUT_WINDOWS: readonly WindowsVersion[] = ['2012r2', '2016', '2022'];

export interface ExportOptions {
  targets: string[];
  out: string;
  seed: number;
  set: Bundle['set'];
  /** Stops between bundles (and cuts the running one short); no index is written then. */
  signal?: AbortSignal;
}

export interface ExportResult {
  /** Absent when the export was interrupted: an index names every bundle or none. */
  index: FixtureIndex | undefined;
  results: ScenarioResult[];
  indexFile: string;
  /** Scenarios not run because of an interruption. */
  skipped: number;
}

/**
 * How a scenario is run for a set. The tuning set runs each scenario as written; the held-out set
 * changes what a tool tuned on the tuning set could have over-fitted: the day, the time of day
 * (every bundle crosses midnight), the Windows version (IIS 8.5 headers, HTTPERR without streamid)
 * and the seed (ids, ports, jitter). Nothing about the injected fault changes, so labels hold.
 */
function variant(loaded: LoadedScenario, set: Bundle['set'], position: number, seed: number): { loaded: LoadedScenario; startAt: number } {
  const isLoad = loaded.scenario.load !== undefined;
  if (set === 'tuning') return { loaded, startAt: isLoad ? LOAD_START : FIXTURE_START };
  const windows = HELD_OUT_WINDOWS[(position + seed) % HELD_OUT_WINDOWS.length]!;
  return { loaded: { ...loaded, scenario: { ...loaded.scenario, windows } }, startAt: HELD_OUT_START };
}

/** `arr-lab fixtures`: a bundle per scenario, then `index.json` and `index.schema.json` at the root. */
export async function exportFixtures(options: ExportOptions): Promise<ExportResult> {
  const out = resolve(options.out);
  // Container runs have real hosts and timers: they cannot repeat byte for byte, and need Docker.
  const scenarios = (await resolveTargets(options.targets)).filter((l) => l.scenario.runtime !== 'containers');
  const missing = scenarios.filter((l) => !l.scenario.diagnosis).map((l) => l.file);
  if (missing.length > 0) throw new Error(`no diagnosis: in ${missing.join(', ')} (a fixture needs its label)`);
  await mkdir(out, { recursive: true });
  const results: ScenarioResult[] = new Array(scenarios.length);
  const bundles: Bundle[] = new Array(scenarios.length);
  // Each bundle runs in its own lab on its own clock, so a few at once write the same bytes as one
  // at a time; the index keeps the catalog's order.
  let next = 0;
  const worker = async () => {
    while (next < scenarios.length && !options.signal?.aborted) {
      const position = next++;
      const { loaded, startAt } = variant(scenarios[position]!, options.set, position, options.seed);
      const dir = join(out, loaded.scenario.name);
      const deterministic = loaded.scenario.load === undefined;
      results[position] = await runScenario(loaded, { dir, timeScale: 0.001, startAt, deterministic: { seed: options.seed }, signal: options.signal });
      bundles[position] = await buildBundle({ dir, diagnosis: loaded.scenario.diagnosis!, seed: options.seed, set: options.set, deterministic, windows: loaded.scenario.windows });
    }
  };
  await Promise.all(Array.from({ length: Math.min(BUNDLES_AT_ONCE, scenarios.length) }, worker));
  const indexFile = join(out, 'index.json');
  const done = results.filter(Boolean);
  if (options.signal?.aborted) return { index: undefined, results: done, indexFile, skipped: scenarios.length - done.length };
  const index = fixtureIndexSchema.parse({
    format: 'arr-lab-fixtures/1',
    seed: options.seed,
    taxonomy: FAULT_CLASSES.map((c) => ({ id: c.id, title: c.title })),
    bundles,
    totals: {
      bundles: bundles.length,
      requests: bundles.reduce((n, b) => n + b.requests.length, 0),
      failingRequests: bundles.reduce((n, b) => n + b.requests.filter((r) => r.class !== 'healthy').length, 0),
      logEntries: bundles.reduce((n, b) => n + b.files.reduce((m, f) => m + (f.entries ?? 0), 0), 0),
      classes: [...new Set<FaultClassId>(bundles.flatMap((b) => [b.diagnosis.class, ...b.requests.map((r) => r.class)]))].sort(),
    },
  });
  await writeWhole(indexFile, JSON.stringify(index, null, 2) + '\n');
  await writeWhole(join(out, 'index.schema.json'), JSON.stringify(fixtureIndexJsonSchema(), null, 2) + '\n');
  return { index, results, indexFile, skipped: 0 };
}

async function writeWhole(file: string, text: string): Promise<void> {
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
}
