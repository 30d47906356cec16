import type { Check } from '../scenario/expectations.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import { writeManifest } from '../scenario/manifest.ts';
import { finishRun } from '../output-folder.ts';
import type { RunOptions, ScenarioResult } from '../scenario/run.ts';
import { writeLoadReport } from './report.ts';
import { runLoad, type LoadRun } from './run-load.ts';

/**
 * A scenario with a `load:` section, run by `arr-lab run`: the load replaces the request sequence;
 * its checks are the `load.expect` counts and every accounting row. The folder gets the hosts'
 * files, `load-report.json` / `.md` and a manifest listing the files (no per-request records:
 * a load run counts its lines instead of keeping them).
 */
export async function runLoadScenario(loaded: LoadedScenario, options: RunOptions): Promise<ScenarioResult> {
  const run = await runLoad(loaded, { dir: options.dir, timeScale: options.timeScale, startAt: options.startAt, signal: options.signal });
  await writeLoadReport(run);
  const checks: Check[] = [
    ...run.reconciliation.map((r) => ({
      request: 'load', subject: r.subject, field: r.check, expected: String(r.expected), actual: r.problem ? `${r.actual} (${r.problem})` : String(r.actual), pass: r.pass,
    })),
    ...run.checks,
  ];
  const { scenario } = loaded;
  const manifest = await writeManifest(options.dir, {
    scenario: scenario.name,
    description: scenario.description,
    suites: scenario.suites,
    reference: scenario.reference,
    file: loaded.file,
    diagnosis: scenario.diagnosis,
    run: { nominalMs: Math.round(run.nominalMs), wallMs: Math.round(run.wallMs), timing: run.timing, timeScale: options.timeScale, passed: run.passed, ...(run.interrupted ? { interrupted: run.interrupted } : {}) },
    injected: { farm: (loaded.raw as { farm?: unknown }).farm ?? {}, members: scenario.members.map((m) => ({ name: m.name, offline: m.offline, script: m.script.written })), load: run.settings, request: run.request },
    load: { report: 'load-report.json', client: run.client, balanced: run.balanced },
    requests: [],
    checks,
    farm: { servers: run.servers },
    hosts: Object.fromEntries(run.hosts.map((h) => [h.name, h.files])),
  });
  const result: ScenarioResult = {
    name: scenario.name,
    file: loaded.file,
    dir: options.dir,
    passed: run.passed,
    expected: `load, ${run.checks.length} counts, balanced`,
    observed: observed(run),
    requests: [],
    checks,
    client: [],
    nominalMs: run.nominalMs,
    wallMs: run.wallMs,
    timing: run.timing,
    manifest,
    ...(run.interrupted ? { interrupted: run.interrupted } : {}),
  };
  finishRun(options.dir, run.interrupted ? 'interrupted' : 'complete');
  return result;
}

/** The client's outcomes, most frequent first, and the accounting: `200×475 502.3×25, balanced`. */
function observed(run: LoadRun): string {
  const c = run.client;
  const pages = Object.entries(c.errorPages).map(([k, n]) => [k.split(' ')[0]!, n] as const);
  const paged = new Set(pages.map(([k]) => k.split('.')[0]));
  const outcomes = [
    ...Object.entries(c.statuses).filter(([s]) => !paged.has(s)),
    ...pages,
    ...(c.errors > 0 ? [['errors', c.errors] as const] : []),
  ].sort((a, b) => b[1] - a[1]);
  return `${outcomes.map(([k, n]) => `${k}×${n}`).join(' ')}, ${run.balanced ? 'balanced' : 'UNBALANCED'}`;
}
