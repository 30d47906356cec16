import type { TimingReport } from '../../core/clock.ts';
import { CONTROLLER_NAME, Lab } from '../lab.ts';
import { InputError } from '../../core/input-error.ts';
import type { InterruptSignal } from '../interrupt.ts';
import { startRun } from '../output-folder.ts';
import type { HostHandle, ServerSnapshot } from '../host-driver.ts';
import type { Check } from '../scenario/expectations.ts';
import type { LoadedScenario } from '../scenario/load.ts';
import { relativeFiles } from '../scenario/manifest.ts';
import type { ScenarioRequest } from '../scenario/schema.ts';
import { phaseTimeouts } from '../../proxy/farm-config.ts';
import type { FarmEvent } from '../../proxy/farm-events.ts';
import { drive, type ClientTally } from './drive.ts';
import { checkLoad } from './expect.ts';
import { tallyHost, type HostTally } from './log-tally.ts';
import { balanced, reconcile, type HostCounts, type ReconcileRow } from './reconcile.ts';
import type { LoadSection } from './section.ts';

/** The load to drive: the scenario's `load:` section with any command-line overrides applied. */
export interface LoadSettings {
  connections: number;
  /** Wall ms; exclusive with `amount`. */
  duration?: number;
  amount?: number;
  rate?: number;
}

export interface LoadOptions {
  /** The run's folder (new, empty or the lab's own; see output-folder.ts): each host's files, and the report beside them. The caller records the run with finishRun once its report is written. */
  dir: string;
  timeScale: number;
  overrides?: Partial<LoadSettings>;
  progress?: boolean;
  /** Wall-clock cap on the traffic; default: the duration plus a minute, or ten minutes for an amount. */
  capMs?: number;
  /** Wall-clock cap on waiting for the pages still running once the traffic stopped. */
  settleMs?: number;
  startAt?: number;
  /** Ctrl-C / SIGTERM: autocannon stops, the pages still running get the settle budget, the lab stops and the run is counted as far as it got. */
  signal?: InterruptSignal;
}

export interface LoadRun {
  scenario: string;
  file: string;
  dir: string;
  timeScale: number;
  settings: LoadSettings;
  request: { method: string; path: string };
  client: ClientTally;
  hosts: { name: string; counts: HostCounts; tally: HostTally; files: ReturnType<typeof relativeFiles> }[];
  /** The farm at the end: each server's availability, state, health and counters, and its Application-log events. */
  servers: ServerSnapshot[];
  events: FarmEvent[];
  farm: { forwarded: number; unreached: number; probes: number };
  /** Still running when the settle budget ran out: logged as abandoned when the lab stopped. */
  unsettled: boolean;
  reconciliation: ReconcileRow[];
  balanced: boolean;
  checks: Check[];
  passed: boolean;
  nominalMs: number;
  wallMs: number;
  timing: TimingReport;
  /** The signal that cut the traffic short. */
  interrupted?: string;
}

/** The run's settings: command line over the scenario's `load:` section over the defaults (10 connections, 10 s). */
export function loadSettings(section: LoadSection | undefined, overrides: Partial<LoadSettings> = {}): LoadSettings {
  const connections = overrides.connections ?? section?.connections ?? 10;
  const byCli = overrides.duration !== undefined || overrides.amount !== undefined;
  const amount = byCli ? overrides.amount : section?.amount;
  const duration = byCli ? overrides.duration : section?.duration;
  const rate = overrides.rate ?? section?.rate;
  if (amount !== undefined && amount < connections) throw new InputError(`--amount ${amount} is less than --connections ${connections}: every connection sends at least one request`);
  return { connections, ...(amount !== undefined ? { amount } : { duration: duration ?? 10_000 }), ...(rate !== undefined ? { rate } : {}) };
}

/** The request autocannon repeats: the scenario's first request. */
export function templateOf(loaded: LoadedScenario): ScenarioRequest {
  const step = loaded.scenario.requests.find((s) => s.kind === 'request');
  if (step?.kind !== 'request') throw new InputError(`${loaded.file}: the scenario has no request to send`);
  return step.request;
}

/**
 * Runs a scenario's lab under load: starts it, drives the controller with autocannon, lets the
 * pages still running finish, stops it, then counts every host's files and reconciles them with
 * what the client saw.
 */
export async function runLoad(loaded: LoadedScenario, options: LoadOptions): Promise<LoadRun> {
  const { scenario } = loaded;
  const wallStart = performance.now();
  const settings = loadSettings(scenario.load, options.overrides);
  const template = templateOf(loaded);
  const probeUrl = scenario.farm.healthCheck.url;
  const probePath = probeUrl ? new URL(probeUrl).pathname : undefined;
  if (probePath !== undefined && template.path.split('?')[0] === probePath) {
    throw new InputError(`${loaded.file}: the load's path ${template.path} is the farm's healthCheck URL path: probes and load could not be told apart in the members' logs`);
  }
  startRun(options.dir);
  const lab = await Lab.start(
    loaded.topology,
    { root: options.dir, timeScale: options.timeScale, startAt: options.startAt, freb: scenario.tracing, windows: scenario.windows, retainRecords: false },
  );
  let client: ClientTally;
  let unsettled = false;
  let nominalMs = 0;
  try {
    // The client waits longer than every WinHTTP phase together, so the proxy always answers first.
    const t = phaseTimeouts(scenario.farm);
    const timeoutS = ((t.resolve + t.connect + t.send + t.receive) * options.timeScale) / 1000 + 10;
    client = await drive({
      url: lab.url(template.path),
      method: template.method,
      headers: { 'user-agent': 'arr-lab-load/0.1 (autocannon)', ...template.headers },
      body: template.body,
      connections: settings.connections,
      durationS: settings.duration !== undefined ? settings.duration / 1000 : undefined,
      amount: settings.amount,
      rate: settings.rate,
      timeoutS,
      capMs: options.capMs ?? (settings.duration !== undefined ? settings.duration + 60_000 : 600_000),
      progress: options.progress ?? false,
      signal: options.signal,
    });
    unsettled = !(await within(options.settleMs ?? 60_000, lab.settle()));
    nominalMs = lab.clock.elapsed();
  } finally {
    await lab.stop();
  }
  const hosts = await Promise.all(lab.hosts.map(async (h) => ({ name: h.name, handle: h, tally: await tallyHost(h.files(), h.kind === 'member' ? probePath : undefined) })));
  const counts = (h: HostHandle, tally: HostTally): HostCounts => ({
    name: h.name, accepted: h.accepted, logged: h.logged, w3svcLines: tally.w3svcLines, httperrLines: tally.httperrLines, probes: tally.probes,
    connectionEvents: Object.values(h.connectionEvents()).reduce((a, n) => a + n, 0),
    connectionLines: Object.values(tally.connections).reduce((a, n) => a + n, 0),
  });
  const controller = hosts.find((h) => h.name === CONTROLLER_NAME)!;
  const forwarded = lab.controller.servers().reduce((n, s) => n + s.counters.totalRequests, 0);
  // Trips that failed while resolving or connecting never reached a member: refused (12029), name
  // not resolved (12007), and a connect timeout to a member that never answers the SYN (12002).
  const unreached = lab.controller.unreachedTrips();
  const reconciliation = reconcile({
    client: { sent: client.sent, answered: client.answered, errors: client.errors, cut: settings.amount === undefined || client.capped || client.interrupted, connections: settings.connections },
    controller: counts(controller.handle, controller.tally),
    members: hosts.filter((h) => h !== controller).map((h) => counts(h.handle, h.tally)),
    forwarded,
    unreached,
  });
  const checks = scenario.load?.expect ? checkLoad(scenario.load.expect, client, new Map(hosts.map((h) => [h.name, h.tally])), CONTROLLER_NAME) : [];
  const isBalanced = balanced(reconciliation);
  return {
    scenario: scenario.name,
    file: loaded.file,
    dir: options.dir,
    timeScale: options.timeScale,
    settings,
    request: { method: template.method, path: template.path },
    client,
    hosts: hosts.map((h) => ({ name: h.name, counts: counts(h.handle, h.tally), tally: h.tally, files: relativeFiles(options.dir, h.handle.files()) })),
    servers: lab.controller.servers(),
    events: [...lab.controller.events()],
    farm: { forwarded, unreached, probes: lab.controller.probes().length },
    unsettled,
    reconciliation,
    balanced: isBalanced,
    checks,
    passed: !client.interrupted && isBalanced && checks.every((c) => c.pass),
    nominalMs,
    wallMs: performance.now() - wallStart,
    timing: lab.clock.timing(),
    ...(client.interrupted ? { interrupted: options.signal?.reason as string } : {}),
  };
}

async function within(ms: number, work: Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([work.then(() => true), new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
