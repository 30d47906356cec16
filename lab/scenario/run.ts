import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { LoggedRequest } from '../../iis/log-records.ts';
import type { TimingReport } from '../../core/clock.ts';
import { LabClient, type ClientResult } from '../client.ts';
import { Interrupted, untilAborted, type InterruptSignal } from '../interrupt.ts';
import { CONTROLLER_NAME, Lab } from '../lab.ts';
import { finishRun, startRun } from '../output-folder.ts';
import { checkClient, checkHost, type Check } from './expectations.ts';
import type { LoadedScenario } from './load.ts';
import { relativeFiles, writeManifest } from './manifest.ts';
import { performAction } from './action-step.ts';
import { membersAccepted, sendInLanes, untilReached } from './lanes.ts';
import { topologyOf } from './topology.ts';
import { CONTAINER_MIN_TIME_SCALE, containerDriver } from '../containers/container-driver.ts';
import type { RequestExpect, Scenario, ScenarioStep } from './schema.ts';

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

export interface RequestOutcome {
  id: string;
  expected: string;
  observed: string;
  passed: boolean;
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

/** Runs one scenario in a fresh lab and checks every expectation against the client and the logs. */
export async function runScenario(loaded: LoadedScenario, options: RunOptions): Promise<ScenarioResult> {
  // Load scenarios bring autocannon: loaded only when a run has one.
  if (loaded.scenario.load) return (await import('../load/as-scenario.ts')).runLoadScenario(loaded, options);
  const { scenario } = loaded;
  const wallStart = performance.now();
  startRun(options.dir);
  const raw = loaded.raw as { farm?: Record<string, unknown> };
  const { runtime, timeScale } = runSettings(scenario, options);
  if (runtime === 'containers' && options.deterministic) throw new Error(`${scenario.name}: a container run cannot be deterministic (real hosts, real timers)`);
  const lab = await Lab.start(
    topologyOf(loaded),
    {
      root: options.dir, timeScale, startAt: options.startAt, freb: scenario.tracing, errorMode: scenario.errorMode, deterministic: options.deterministic, windows: scenario.windows,
      driver: runtime === 'containers' ? containerDriver() : undefined,
    },
  );
  const client = new LabClient(lab);
  const sent: { index: number; result: ClientResult }[] = [];
  const inflight: Promise<unknown>[] = [];
  const checks: Check[] = [];
  const { aborted, dispose } = untilAborted(options.signal);
  let interrupted: string | undefined;
  let nominalMs = 0;
  try {
    // The runner's own timeline: a step starts where the steps it follows ended (a wait, the
    // responses it waited for), never where unrelated timers moved the lab.
    const runner = lab.clock.begin(undefined, true);
    const steps = () => runner.run(async () => {
      let n = 0;
      const background: Promise<number>[] = [];
      for (const [index, step] of scenario.requests.entries()) {
        if (options.signal?.aborted) throw new Interrupted();
        if (step.kind === 'action') {
          checks.push(...(await performAction(lab, step.action, { step: `step ${index + 1}`, tolerance: scenario.timeTolerance })));
          continue;
        }
        const r = step.request;
        const ids = Array.from({ length: r.repeat }, () => String(++n));
        const before = membersAccepted(lab);
        const sending = sendInLanes(lab, ids.length, r.concurrency, async (i) => {
          const result = await client.send(ids[i]!, { method: r.method, path: r.path, headers: r.headers, body: r.body }, r.as);
          sent.push({ index, result });
          return result.doneAt;
        }, options.signal);
        inflight.push(sending);
        if (!r.background) {
          runner.reach(await runner.during(sending));
          continue;
        }
        background.push(sending);
        await untilReached(lab, sending, Math.min(r.repeat, r.concurrency), before);
      }
      runner.reach(Math.max(0, ...(await runner.during(Promise.all(background)))));
      await lab.healFaults();
      await lab.finish();
      nominalMs = lab.clock.elapsed();
      runner.finish();
    });
    let finished = false;
    try {
      // An interrupt ends the steps where they are, a wait step included.
      finished = await withinBudget(options.wallBudgetMs ?? 120_000, () => Promise.race([steps(), aborted]));
    } catch (err) {
      if (!(err instanceof Interrupted)) throw err;
      interrupted = options.signal?.reason as string;
      nominalMs = lab.clock.frontier() - lab.clock.startedAt;
    }
    if (!finished && !interrupted) {
      checks.push({ request: '-', subject: 'lab', field: 'settled', expected: 'within the wall budget', actual: 'still busy', pass: false });
      nominalMs = lab.clock.frontier() - lab.clock.startedAt;
    }
  } finally {
    // The scenario's time ends with its steps: tearing the lab down takes no nominal time.
    lab.clock.halt();
    // Requests still in flight end as a client would see a server going away; each is recorded.
    await client.close();
    await Promise.allSettled(inflight);
    await lab.stop();
    dispose();
  }
  sent.sort((a, b) => Number(a.result.id) - Number(b.result.id));
  const records = new Map(lab.hosts.map((h) => [h.name, h.records()]));
  // The run lasts until the last request any host logged (a page that outlives ARR's timeout).
  for (const list of records.values()) for (const r of list) nominalMs = Math.max(nominalMs, r.meta.at - lab.clock.startedAt);
  const requestOf = (index: number) => (scenario.requests[index] as Extract<ScenarioStep, { kind: 'request' }>).request;
  checks.push(...accounting(lab));
  // A run cut short is a record, not a verdict: requests it abandoned would fail for that reason alone.
  if (!interrupted) checks.push(...sent.flatMap(({ index, result }) => evaluate(scenario, requestOf(index).expect, result, records)));
  const passed = !interrupted && checks.every((c) => c.pass);
  const requests = sent.map(({ index, result: r }) => ({
    id: r.id,
    expected: describeExpected(requestOf(index).expect),
    observed: describeObserved(r),
    passed: !interrupted && checks.every((c) => c.request !== r.id || c.pass),
  }));
  const result: Omit<ScenarioResult, 'manifest'> = {
    name: scenario.name,
    file: loaded.file,
    dir: options.dir,
    passed,
    expected: sent.length ? tally(requests.map((r) => r.expected)) : describeExpected(firstRequest(scenario)?.expect ?? {}),
    observed: sent.length ? tally(requests.map((r) => r.observed)) : '(nothing sent)',
    requests,
    checks,
    client: sent.map((s) => s.result),
    nominalMs,
    wallMs: performance.now() - wallStart,
    timing: lab.clock.timing(),
    ...(interrupted ? { interrupted } : {}),
  };
  const logIdOf = (id: string) => records.get(CONTROLLER_NAME)?.find((x) => x.meta.labRequest === id)?.meta.arrLogId;
  const traces = await Promise.all(
    lab.hosts.flatMap((h) => h.files().freb ?? []).map(async (f) => ({ file: relative(options.dir, f), text: await readFile(f, 'utf8') })),
  );
  const manifest = await writeManifest(options.dir, {
    scenario: scenario.name,
    description: scenario.description,
    suites: scenario.suites,
    reference: scenario.reference,
    file: options.deterministic ? relative(process.cwd(), loaded.file) : loaded.file,
    diagnosis: scenario.diagnosis,
    run: {
      startedAt: new Date(lab.clock.startedAt).toISOString(),
      nominalMs: Math.round(nominalMs),
      // Wall time is the one thing a deterministic run cannot repeat: left out of fixtures.
      ...(options.deterministic ? { seed: options.deterministic.seed } : { wallMs: Math.round(result.wallMs), timing: result.timing }),
      timeScale,
      ...(runtime === 'containers' ? { runtime } : {}),
      passed,
      ...(interrupted ? { interrupted } : {}),
    },
    injected: { ...topologyOf(loaded), farm: raw.farm ?? {}, farmFromXml: loaded.farmFromXml },
    requests: sent.map(({ index, result: r }) => ({
      id: r.id,
      expected: requestOf(index).expect,
      faultClass: requestOf(index).faultClass,
      client: { ...r, body: undefined, headers: undefined },
      arrLogId: logIdOf(r.id),
      logged: Object.fromEntries([...records].map(([host, list]) => [host, list.filter((x) => x.meta.labRequest === r.id).map((x) => slim(x, options.dir))])),
      tracedIn: traces.filter((t) => logIdOf(r.id) !== undefined && t.text.includes(logIdOf(r.id)!)).map((t) => t.file),
    })),
    checks,
    farm: { servers: lab.controller.servers(), events: lab.controller.events(), probes: lab.controller.probes() },
    // Lines no scenario request caused (health probes), so that every line of every file has its record.
    unattributed: Object.fromEntries([...records].map(([host, list]) => [host, list.filter((x) => x.meta.labRequest === undefined).map((x) => slim(x, options.dir))])),
    hosts: Object.fromEntries(lab.hosts.map((h) => [h.name, { ...relativeFiles(options.dir, h.files()), connectionEvents: h.connectionEvents(), ...(h.lost ? { lost: h.lost } : {}) }])),
  });
  finishRun(options.dir, interrupted ? 'interrupted' : 'complete');
  return { ...result, manifest };
}

/** A host's record as the manifest gives it: the entry, and the file and line it is on. */
function slim(r: LoggedRequest, dir: string) {
  const where = r.meta.where ? { file: relative(dir, r.meta.where.file), line: r.meta.where.line } : undefined;
  return { kind: r.kind, at: new Date(r.meta.at).toISOString(), seq: r.meta.seq, where, entry: r.entry };
}

/** Every request a host accepted is in its logs exactly once. */
function accounting(lab: Lab): Check[] {
  return lab.hosts.map((h) => {
    const lost = h.lost ?? 0;
    return {
      request: '-', subject: h.name, field: 'accounted once',
      expected: `${h.accepted - lost} lines${lost ? ` (${h.accepted} accepted, ${lost} lost with the killed host)` : ''}`,
      actual: `${h.records().length} lines`,
      pass: h.accepted - lost === h.records().length && new Set(h.records().map((r) => r.meta.seq)).size === h.records().length,
    };
  });
}

function evaluate(scenario: Scenario, exp: RequestExpect, result: ClientResult, records: Map<string, readonly LoggedRequest[]>): Check[] {
  const id = result.id;
  const of = (host: string) => (records.get(host) ?? []).filter((r) => r.meta.labRequest === id);
  const checks: Check[] = [];
  if (exp.client) checks.push(...checkClient(id, exp.client, result));
  if (exp.proxy) checks.push(...checkHost(id, 'proxy', exp.proxy, of(CONTROLLER_NAME), scenario.timeTolerance));
  for (const [member, e] of Object.entries(exp.members ?? {})) checks.push(...checkHost(id, member, e, of(member), scenario.timeTolerance));
  return checks;
}

function firstRequest(scenario: Scenario) {
  const step = scenario.requests.find((s) => s.kind === 'request');
  return step?.kind === 'request' ? step.request : undefined;
}

/** Outcomes counted in order of first appearance: `200×11 503×2`; a single request reads as itself. */
export function tally(outcomes: string[]): string {
  if (outcomes.length === 1) return outcomes[0]!;
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o, (counts.get(o) ?? 0) + 1);
  return [...counts].map(([o, n]) => `${o}×${n}`).join(' ');
}

export function describeExpected(exp: RequestExpect): string {
  const c = exp.client;
  if (!c) return '(logs only)';
  if (c.networkError) return `connection error ${c.networkError}`;
  return [c.status !== undefined ? `${c.status}${c.substatus !== undefined && c.substatus !== 0 ? `.${c.substatus}` : ''}` : '', c.errorCode ?? ''].filter(Boolean).join(' ');
}

export function describeObserved(r: ClientResult): string {
  if (r.networkError) return `connection error ${r.networkError}`;
  const status = `${r.status}${r.substatus ? `.${r.substatus}` : ''}`;
  return [status, r.errorCode ?? ''].filter(Boolean).join(' ');
}

async function withinBudget(ms: number, fn: () => Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([fn().then(() => true as const), budget]);
  } finally {
    clearTimeout(timer);
  }
}
