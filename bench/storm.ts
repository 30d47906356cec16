import { readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Agent, request } from 'undici';
import type { TimingReport } from '../core/clock.ts';
import { CONTROLLER_NAME, Lab, type TopologyInput } from '../lab/lab.ts';
import { eachRow, tallyHost } from '../lab/load/log-tally.ts';
import { balanced, reconcile, type HostCounts } from '../lab/load/reconcile.ts';

/**
 * The fault storm (issue 9): many requests through a farm that mixes every behaviour the lab has,
 * from a client outside the lab, then the checks a user needs to trust the lab under load:
 * nothing crashed, every request is in each host's logs exactly once, the client saw what ARR
 * logged, no healthy request was charged with a timer it did not wait for, throughput against a
 * healthy-only run of the same farm, and memory and descriptors at start and end.
 */
export interface StormConfig {
  requests: number;
  connections: number;
  timeScale: number;
  /** The client's own wall-clock timeout per request; ARR must always answer first. */
  clientTimeoutMs: number;
}

/** Which share of the requests goes to which page (per 100). */
const MIX: [path: string, per100: number][] = [
  ['/slow', 3], // sleeps 45 s, past the 30 s timeout: 502.3 12002
  ['/close', 3], // Response.Close(): 502.3 12030
  ['/flush', 3], // headers and part of the body, then a reset: 502.3
  ['/garbage', 3], // not HTTP at all: 502.3 12152
  ['/switch', 3], // a script that changes with the request number
  ['/', 85], // healthy
];

const PAGE = [
  { route: '/slow', do: [{ sleep: '45s' }, { respond: {} }] },
  { route: '/close', do: ['close-without-response'] },
  { route: '/flush', do: [{ 'flush-then-close': {} }] },
  { route: '/garbage', do: [{ 'send-raw': { data: 'NOT HTTP AT ALL\r\n\r\n', then: 'close' } }] },
  { route: '/switch', requests: '1-200', do: [{ sleep: '45s' }, { respond: {} }] },
  { route: '/switch', do: [{ respond: { bodyBytes: 1024 } }] },
  { route: '/', do: [{ respond: { bodyBytes: 1024 } }] },
];

/** Three healthy hosts and, a few trips in a hundred each, a refusing, a silent and an unresolvable one. */
function stormFarm(healthyOnly: boolean): TopologyInput {
  const healthy = ['web1', 'web2', 'web3'];
  const faulty = healthyOnly ? [] : ['refusing', 'silent', 'unresolvable'];
  return {
    farm: {
      protocol: { timeout: '00:00:30' },
      // Faulty members stay in rotation: the live-traffic test would otherwise take them out.
      healthCheck: { maxLiveTrafficFailures: 1_000_000_000 },
      servers: [...healthy.map((address) => ({ address, weight: 100 })), ...faulty.map((address) => ({ address, weight: 2 }))],
    },
    members: [
      ...healthy.map((name) => ({ name, script: PAGE })),
      ...(healthyOnly ? [] : [
        { name: 'refusing', offline: true as const },
        { name: 'silent', offline: 'silent' as const },
        { name: 'unresolvable', script: PAGE },
      ]),
    ],
    resolver: healthyOnly ? undefined : { unresolvable: 'nxdomain' },
  } as TopologyInput;
}

interface ClientOutcomes {
  /** Statuses seen per path. */
  byPath: Map<string, Map<string, number>>;
  timeouts: number;
  networkErrors: number;
  sent: number;
}

async function drive(lab: Lab, config: StormConfig, healthyOnly: boolean): Promise<{ outcomes: ClientOutcomes; wallMs: number }> {
  const agent = new Agent({ connections: config.connections, headersTimeout: config.clientTimeoutMs, bodyTimeout: config.clientTimeoutMs });
  const outcomes: ClientOutcomes = { byPath: new Map(), timeouts: 0, networkErrors: 0, sent: 0 };
  const paths = MIX.flatMap(([path, n]) => Array<string>(n).fill(healthyOnly ? '/' : path));
  let next = 0;
  const lane = async () => {
    while (next < config.requests) {
      const path = paths[next++ % paths.length]!;
      outcomes.sent++;
      let key: string;
      try {
        const res = await request(lab.url(path), { dispatcher: agent });
        await res.body.dump();
        key = String(res.statusCode);
      } catch (err) {
        const code = (err as { code?: string }).code ?? 'error';
        if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') outcomes.timeouts++;
        else outcomes.networkErrors++;
        key = code;
      }
      const counts = outcomes.byPath.get(path) ?? new Map<string, number>();
      counts.set(key, (counts.get(key) ?? 0) + 1);
      outcomes.byPath.set(path, counts);
    }
  };
  const wall = performance.now();
  await Promise.all(Array.from({ length: config.connections }, lane));
  const wallMs = performance.now() - wall;
  await agent.destroy();
  return { outcomes, wallMs };
}

/** A full collection before each memory reading, so the figures show what is still referenced. */
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

function openDescriptors(): number {
  return readdirSync('/proc/self/fd').length;
}

export interface StormRun {
  config: StormConfig;
  requests: number;
  wallMs: number;
  reqPerS: number;
  healthyReqPerS: number;
  crashes: number;
  unaccounted: number;
  reconciliation: string[];
  disagreements: string[];
  clientTimeouts: number;
  clientNetworkErrors: number;
  inflatedHealthy: number;
  worstHealthyMs: number;
  arrOutcomes: Record<string, number>;
  rssMB: { start: number; peak: number; end: number };
  /** V8 heap in use after a full collection: what the lab still holds. */
  heapMB: { start: number; end: number };
  timing: TimingReport;
  descriptors: { start: number; end: number };
}

async function oneRun(config: StormConfig, healthyOnly: boolean, onSample: () => void) {
  const root = await mkdtemp(join(tmpdir(), 'arr-lab-storm-'));
  try {
    const lab = await Lab.start(stormFarm(healthyOnly), { root, timeScale: config.timeScale, retainRecords: false });
    const sampler = setInterval(onSample, 250);
    let driven: Awaited<ReturnType<typeof drive>>;
    try {
      driven = await drive(lab, config, healthyOnly);
      await lab.settle();
    } finally {
      clearInterval(sampler);
      await lab.stop();
    }
    const hosts = await Promise.all(lab.hosts.map(async (h) => ({ handle: h, tally: await tallyHost(h.files(), undefined) })));
    const counts = (h: (typeof hosts)[number]): HostCounts => ({
      name: h.handle.name, accepted: h.handle.accepted, logged: h.handle.logged, w3svcLines: h.tally.w3svcLines, httperrLines: h.tally.httperrLines,
      probes: 0, connectionEvents: Object.values(h.handle.connectionEvents()).reduce((a, n) => a + n, 0), connectionLines: Object.values(h.tally.connections).reduce((a, n) => a + n, 0),
    });
    const controller = hosts.find((h) => h.handle.name === CONTROLLER_NAME)!;
    const rows = reconcile({
      client: { sent: driven.outcomes.sent, answered: driven.outcomes.sent - driven.outcomes.timeouts - driven.outcomes.networkErrors, errors: driven.outcomes.timeouts + driven.outcomes.networkErrors, cut: false, connections: config.connections },
      controller: counts(controller),
      members: hosts.filter((h) => h !== controller).map(counts),
      forwarded: lab.controller.servers().reduce((n, s) => n + s.counters.totalRequests, 0),
      unreached: lab.controller.unreachedTrips(),
    });
    // ARR's own lines, per path: what the client must have seen, and the healthy ones' time-taken.
    const arrByPath = new Map<string, Map<string, number>>();
    let inflated = 0;
    let worstHealthy = 0;
    for (const file of controller.handle.files().w3svc) {
      await eachRow(file, (row) => {
        const path = row['cs-uri-stem']!;
        const counts = arrByPath.get(path) ?? new Map<string, number>();
        counts.set(row['sc-status']!, (counts.get(row['sc-status']!) ?? 0) + 1);
        arrByPath.set(path, counts);
        if (row['sc-status'] === '200' && (path === '/' || path === '/switch')) {
          const taken = Number(row['time-taken']);
          worstHealthy = Math.max(worstHealthy, taken);
          // A healthy page waits for nothing: a second or more is some timer's jump charged to it.
          if (taken >= 1000) inflated++;
        }
      });
    }
    const disagreements: string[] = [];
    for (const [path, client] of driven.outcomes.byPath) {
      const arr = arrByPath.get(path) ?? new Map<string, number>();
      for (const status of new Set([...client.keys(), ...arr.keys()])) {
        const c = client.get(status) ?? 0;
        const a = arr.get(status) ?? 0;
        if (c !== a) disagreements.push(`${path} ${status}: client ${c}, ARR ${a}`);
      }
    }
    return { driven, rows, disagreements, inflated, worstHealthy, arrOutcomes: controller.tally.w3svc, timing: lab.clock.timing() };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

export async function faultStorm(config: StormConfig): Promise<StormRun> {
  let peak = 0;
  const sample = () => (peak = Math.max(peak, process.memoryUsage().rss));
  const healthy = await oneRun({ ...config, requests: Math.min(config.requests, 50_000) }, true, sample);
  collect();
  const rssStart = process.memoryUsage().rss;
  const heapStart = process.memoryUsage().heapUsed;
  const fdStart = openDescriptors();
  peak = rssStart;
  let crashes = 0;
  const onCrash = () => crashes++;
  process.on('uncaughtException', onCrash);
  let storm: Awaited<ReturnType<typeof oneRun>>;
  try {
    storm = await oneRun(config, false, sample);
  } finally {
    process.off('uncaughtException', onCrash);
  }
  collect();
  const mb = (n: number) => Math.round(n / 1048576);
  const failedRows = storm.rows.filter((r) => !r.pass);
  return {
    config,
    requests: config.requests,
    wallMs: storm.driven.wallMs,
    reqPerS: config.requests / (storm.driven.wallMs / 1000),
    healthyReqPerS: Math.min(config.requests, 50_000) / (healthy.driven.wallMs / 1000),
    crashes,
    unaccounted: balanced(storm.rows) ? 0 : failedRows.length,
    reconciliation: failedRows.map((r) => `${r.subject}: ${r.check}: ${r.problem ?? `${r.actual} ≠ ${r.expected}`}`),
    disagreements: storm.disagreements,
    clientTimeouts: storm.driven.outcomes.timeouts,
    clientNetworkErrors: storm.driven.outcomes.networkErrors,
    inflatedHealthy: storm.inflated,
    worstHealthyMs: storm.worstHealthy,
    arrOutcomes: storm.arrOutcomes,
    rssMB: { start: mb(rssStart), peak: mb(peak), end: mb(process.memoryUsage().rss) },
    heapMB: { start: mb(heapStart), end: mb(process.memoryUsage().heapUsed) },
    descriptors: { start: fdStart, end: openDescriptors() },
    timing: storm.timing,
  };
}

/** Every check of the storm at its target (throughput is reported separately). */
export function stormClean(run: StormRun): boolean {
  return run.crashes === 0 && run.unaccounted === 0 && run.disagreements.length === 0 && run.clientTimeouts === 0 && run.inflatedHealthy === 0;
}

export function renderStorm(run: StormRun): string {
  const config = run.config;
  const ratio = run.reqPerS / run.healthyReqPerS;
  const lines = [
    '## 7. Fault storm',
    '',
    `${run.requests.toLocaleString('en')} requests from ${config.connections} connections outside the lab, at time scale ${config.timeScale}, through a farm of three healthy members`,
    'and, two trips in a hundred each, a refusing, a silent and an unresolvable one; 15 % of the requests go to pages that sleep past the',
    'timeout, call Response.Close(), flush then reset, answer garbage, or switch by request number (bench/storm.ts).',
    '',
    '| check | figure | target |',
    '| --- | --- | --- |',
    `| crashes | ${run.crashes} | 0 |`,
    `| accounting rows that do not balance (client, ARR, every member) | ${run.unaccounted} | 0 |`,
    `| client outcomes that disagree with ARR's log (per page and status) | ${run.disagreements.length} | 0 |`,
    `| client-side timeouts (${config.clientTimeoutMs / 1000} s wall) / network errors | ${run.clientTimeouts} / ${run.clientNetworkErrors} | 0 / – |`,
    `| healthy requests logged by ARR at ≥ 1 s (worst: ${run.worstHealthyMs} ms) | ${run.inflatedHealthy} | 0 |`,
    `| throughput, storm ÷ healthy-only run of the same farm | ${Math.round(run.reqPerS)} ÷ ${Math.round(run.healthyReqPerS)} req/s = ${ratio.toFixed(2)}× | ≥ 0.5× |`,
    `| heap in use after a full collection, start / end | ${run.heapMB.start} / ${run.heapMB.end} MB | flat |`,
    `| RSS start / peak / end (the process keeps pages it once used) | ${run.rssMB.start} / ${run.rssMB.peak} / ${run.rssMB.end} MB | reported |`,
    `| open descriptors start / end | ${run.descriptors.start} / ${run.descriptors.end} | flat |`,
    `| timers fired / late (> 20 ms wall) / worst lateness | ${run.timing.timers.toLocaleString('en')} / ${run.timing.late.toLocaleString('en')} / ${run.timing.maxLateWallMs} ms | reported |`,
    '',
    `ARR's outcomes: ${Object.entries(run.arrOutcomes).sort((a, b) => b[1] - a[1]).map(([k, n]) => `\`${k}\` ×${n.toLocaleString('en')}`).join(', ')}.`,
    ...(run.reconciliation.length ? ['', 'Unbalanced:', ...run.reconciliation.map((r) => `- ${r}`)] : []),
    ...(run.disagreements.length ? ['', 'Disagreements:', ...run.disagreements.slice(0, 20).map((d) => `- ${d}`)] : []),
    '',
  ];
  return lines.join('\n');
}

const DEFAULT: StormConfig = { requests: 100_000, connections: 50, timeScale: 0.001, clientTimeoutMs: 10_000 };

if (import.meta.url === `file://${process.argv[1]}`) {
  const requests = Number(process.argv[2] ?? DEFAULT.requests);
  const config = { ...DEFAULT, requests };
  const run = await faultStorm(config);
  const text = renderStorm(run);
  console.log(text);
  if (process.argv[3]) await writeFile(process.argv[3], text);
}
