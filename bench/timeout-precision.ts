import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { parseDetailedError } from '../iis/detailed-error-page.ts';
import { delay, startChild, stopAll, type Child } from './children.ts';
import { BODY_BYTES } from './proxy-cost.ts';
import { percentile, spread, type Spread } from './stats.ts';
import { runWrk, type WrkResult } from './wrk.ts';

export interface TimeoutPrecisionConfig {
  rounds: number;
  /** Probes per round and condition, sent `spacingMs` apart (several are in flight at once). */
  probes: number;
  spacingMs: number;
  /** wrk settings for the capacity run (as in part 1). */
  threads: number;
  connections: number;
  capacityS: number;
}

/** The farm's protocol/@timeout for this part. */
export const PROBE_TIMEOUT = '00:00:02';
/**
 * Every probe is a live-traffic failure; `minServers: 1` keeps ARR from marking the lone member
 * unhealthy after ten of them (the background load would then get 502.4s).
 */
const PROBE_FARM = { protocol: { timeout: PROBE_TIMEOUT }, healthCheck: { minServers: 1 } };
const TIMEOUT_MS = 2000;
/** Each paced connection waits about this long between requests; the connection count sets the rate. */
const PACE_MS = 15;

export interface ConditionResult {
  condition: 'idle' | 'half load';
  probes: number;
  /** Per-round percentiles of the lateness (ms after the nominal timeout). */
  p50: Spread;
  p99: Spread;
  max: Spread;
  /** Every probe of every round together. */
  pooled: { p50: number; p99: number; max: number };
  /** The controller's event-loop delay over each round's probes (ms): p99 and max, per round. */
  loopP99: Spread;
  loopMax: Spread;
  /** Background load actually achieved, req/s per round. */
  loadRate: Spread | undefined;
  loadFailed: number;
}

export interface TimeoutPrecisionResult {
  config: TimeoutPrecisionConfig;
  capacity: number;
  target: number;
  pacing: { connections: number; delayMs: number };
  conditions: ConditionResult[];
}

interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
}

const MEMBER_SCRIPT = [
  { route: '/hang/', do: [{ sleep: '1h' }] },
  { route: '/', do: [{ respond: { status: 200, bodyBytes: BODY_BYTES } }] },
];

/**
 * Part 3: at time scale 1 the lab clock is real time, so a 502.3 for a member that never answers
 * should arrive right at the farm timeout. Measures how late it is, idle and while wrk holds the
 * controller at about half of the capacity measured here.
 */
export async function timeoutPrecision(config: TimeoutPrecisionConfig, tmp: string, log: (s: string) => void): Promise<TimeoutPrecisionResult> {
  let member: Child | undefined;
  let controller: Child | undefined;
  const agent = new Agent({ pipelining: 1 });
  try {
    member = await startChild('member', { root: join(tmp, 'member'), timeScale: 1, script: MEMBER_SCRIPT });
    controller = await startChild('controller', {
      root: join(tmp, 'arr'),
      timeScale: 1,
      farm: PROBE_FARM,
      member: { host: '127.0.0.1', port: member.port },
    });
    const url = `http://127.0.0.1:${controller.port}/`;
    await runWrk({ url, threads: config.threads, connections: config.connections, durationS: 1 });
    const capacity = (await runWrk({ url, threads: config.threads, connections: config.connections, durationS: config.capacityS })).rate;
    const target = capacity / 2;
    const pacing = await calibrate(url, target);
    log(`  capacity ${Math.round(capacity)} req/s; background load: ${pacing.connections} connections pacing ${pacing.delayMs} ms`);

    const lateness = { idle: [] as number[][], 'half load': [] as number[][] };
    const loop = { idle: [] as LoopDelay[], 'half load': [] as LoopDelay[] };
    const loads: WrkResult[] = [];
    const probeWindowS = Math.ceil((config.probes * config.spacingMs + TIMEOUT_MS) / 1000) + 2;
    for (let round = 0; round < config.rounds; round++) {
      for (const condition of round % 2 === 0 ? (['idle', 'half load'] as const) : (['half load', 'idle'] as const)) {
        let load: Promise<WrkResult> | undefined;
        if (condition === 'half load') {
          load = runWrk({ url, threads: 1, connections: pacing.connections, durationS: probeWindowS + 1, delayMs: pacing.delayMs });
          await delay(1000);
        }
        await controller.ask('loop-delay');
        const late = await probe(`${url}hang/`, agent, config);
        lateness[condition].push(late);
        loop[condition].push(await controller.ask<LoopDelay>('loop-delay'));
        if (load) loads.push(await load);
        log(`  round ${round + 1} ${condition}: p50 ${percentile(late, 0.5).toFixed(1)} ms, max ${Math.max(...late).toFixed(1)} ms late` +
          (load ? ` (load ${Math.round(loads.at(-1)!.rate)} req/s${loads.at(-1)!.failed ? `, errors ${JSON.stringify(loads.at(-1)!.errors)}` : ''})` : ''));
      }
    }
    const summarise = (condition: 'idle' | 'half load'): ConditionResult => {
      const perRound = lateness[condition];
      const all = perRound.flat();
      return {
        condition,
        probes: all.length,
        p50: spread(perRound.map((l) => percentile(l, 0.5))),
        p99: spread(perRound.map((l) => percentile(l, 0.99))),
        max: spread(perRound.map((l) => Math.max(...l))),
        pooled: { p50: percentile(all, 0.5), p99: percentile(all, 0.99), max: Math.max(...all) },
        loopP99: spread(loop[condition].map((l) => l.p99)),
        loopMax: spread(loop[condition].map((l) => l.max)),
        loadRate: condition === 'idle' ? undefined : spread(loads.map((l) => l.rate)),
        loadFailed: condition === 'idle' ? 0 : loads.reduce((a, l) => a + l.failed, 0),
      };
    };
    return { config, capacity, target, pacing, conditions: [summarise('idle'), summarise('half load')] };
  } finally {
    await agent.destroy();
    await stopAll([controller, member]);
  }
}

/**
 * wrk has no rate option; its delay() hook paces each connection instead, so the rate is about
 * connections x 1000 / (delay + latency). Two short runs find the delay that lands near `target`.
 */
async function calibrate(url: string, target: number): Promise<{ connections: number; delayMs: number }> {
  const connections = Math.max(1, Math.round((target * PACE_MS) / 1000));
  let delayMs = PACE_MS;
  for (let i = 0; i < 2; i++) {
    const achieved = (await runWrk({ url, threads: 1, connections, durationS: 2, delayMs })).rate;
    const perRequestMs = (connections * 1000) / achieved - delayMs;
    delayMs = Math.max(1, Math.round((connections * 1000) / target - perRequestMs));
  }
  return { connections, delayMs };
}

/** Sends the probes `spacingMs` apart and returns how late each 502.3 arrived after the timeout. */
async function probe(url: string, agent: Agent, config: TimeoutPrecisionConfig): Promise<number[]> {
  const one = async (i: number): Promise<number> => {
    const t0 = performance.now();
    const res = await request(`${url}${i}`, { dispatcher: agent });
    const t1 = performance.now();
    const page = parseDetailedError(await res.body.text());
    if (res.statusCode !== 502 || page?.substatus !== 3 || page.errorCode !== '0x80072ee2') {
      throw new Error(`probe ${i}: expected 502.3 0x80072ee2, got ${res.statusCode}.${page?.substatus} ${page?.errorCode}`);
    }
    return t1 - t0 - TIMEOUT_MS;
  };
  const pending: Promise<number>[] = [];
  for (let i = 0; i < config.probes; i++) {
    pending.push(one(i));
    await delay(config.spacingMs);
  }
  return Promise.all(pending);
}
