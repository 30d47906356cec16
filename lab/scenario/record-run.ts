import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import type { TimingReport } from '../../core/clock.ts';
import type { LoggedRequest } from '../../iis/log-records.ts';
import { CONTROLLER_NAME } from '../controller-name.ts';
import type { Lab } from '../lab.ts';
import type { RunVerdict } from './check-run.ts';
import type { LoadedScenario } from './load.ts';
import { relativeFiles, writeManifest } from './manifest.ts';
import type { StepsRun } from './run-steps.ts';
import type { Scenario } from './schema.ts';

/** How the run was made, as the manifest's `run` section records it. */
export interface RunRecord {
  dir: string;
  timeScale: number;
  runtime: Scenario['runtime'];
  deterministic?: { seed: number };
  wallMs: number;
  timing: TimingReport;
}

/**
 * Writes the run's ground truth, manifest.json: what was injected (from the scenario, not
 * inferred), each request with what the client saw and every line each host logged for it, the
 * checks, the farm's state, and the lines no request caused. Returns the file.
 */
export async function recordRun(loaded: LoadedScenario, lab: Lab, run: StepsRun, verdict: RunVerdict, how: RunRecord): Promise<string> {
  const { scenario } = loaded;
  const { dir, deterministic, runtime } = how;
  const raw = loaded.raw as { farm?: Record<string, unknown> };
  const { records, interrupted } = run;
  const logIdOf = (id: string) => records.get(CONTROLLER_NAME)?.find((x) => x.meta.labRequest === id)?.meta.arrLogId;
  const traces = await Promise.all(
    lab.hosts.flatMap((h) => h.files().freb ?? []).map(async (f) => ({ file: relative(dir, f), text: await readFile(f, 'utf8') })),
  );
  return writeManifest(dir, {
    scenario: scenario.name,
    description: scenario.description,
    suites: scenario.suites,
    reference: scenario.reference,
    file: deterministic ? relative(process.cwd(), loaded.file) : loaded.file,
    diagnosis: scenario.diagnosis,
    run: {
      startedAt: new Date(lab.clock.startedAt).toISOString(),
      nominalMs: Math.round(run.nominalMs),
      // Wall time is the one thing a deterministic run cannot repeat: left out of fixtures.
      ...(deterministic ? { seed: deterministic.seed } : { wallMs: Math.round(how.wallMs), timing: how.timing }),
      timeScale: how.timeScale,
      ...(runtime === 'containers' ? { runtime } : {}),
      passed: verdict.passed,
      ...(interrupted ? { interrupted } : {}),
    },
    injected: { ...loaded.topology.written, farm: raw.farm ?? {}, farmFromXml: loaded.farmFromXml },
    requests: run.sent.map(({ request, result: r }) => ({
      id: r.id,
      expected: request.expect,
      faultClass: request.faultClass,
      client: { ...r, body: undefined, headers: undefined },
      arrLogId: logIdOf(r.id),
      logged: Object.fromEntries([...records].map(([host, list]) => [host, list.filter((x) => x.meta.labRequest === r.id).map((x) => slim(x, dir))])),
      tracedIn: traces.filter((t) => logIdOf(r.id) !== undefined && t.text.includes(logIdOf(r.id)!)).map((t) => t.file),
    })),
    checks: verdict.checks,
    farm: { servers: lab.controller.servers(), events: lab.controller.events(), probes: lab.controller.probes() },
    // Lines no scenario request caused (health probes), so that every line of every file has its record.
    unattributed: Object.fromEntries([...records].map(([host, list]) => [host, list.filter((x) => x.meta.labRequest === undefined).map((x) => slim(x, dir))])),
    hosts: Object.fromEntries(lab.hosts.map((h) => [h.name, { ...relativeFiles(dir, h.files()), connectionEvents: h.connectionEvents(), ...(h.lost ? { lost: h.lost } : {}) }])),
  });
}

/** A host's record as the manifest gives it: the entry, and the file and line it is on. */
function slim(r: LoggedRequest, dir: string) {
  const where = r.meta.where ? { file: relative(dir, r.meta.where.file), line: r.meta.where.line } : undefined;
  return { kind: r.kind, at: new Date(r.meta.at).toISOString(), seq: r.meta.seq, where, entry: r.entry };
}
