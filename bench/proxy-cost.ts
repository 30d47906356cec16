import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { cpuTicks, processTree, startChild, stopAll, syscalls, type Child } from './children.ts';
import { summariseCpuProfile, summariseHeapProfile, type ProfileSummary } from './profiles.ts';
import { startNginx, type Nginx } from './nginx.ts';
import { spread, type Spread } from './stats.ts';
import { runWrk, type WrkResult } from './wrk.ts';

export interface ProxyCostConfig {
  rounds: number;
  durationS: number;
  warmupS: number;
  threads: number;
  connections: number;
  /** Profile the controller for one extra round even when the targets are met. */
  profile: boolean;
}

export const BODY_BYTES = 1024;
/** The member's page: a 1 KiB 200 for every request. */
export const MEMBER_SCRIPT = [{ route: '/', do: [{ respond: { status: 200, bodyBytes: BODY_BYTES } }] }];
export const TARGET_CPU_US = 100;
export const TARGET_RATIO = 2;
/** A member host against a bare node:http server answering the same page. */
export const TARGET_MEMBER_RATIO = 0.9;

export type TargetName = 'member direct' | 'bare node:http' | 'ARR (lab controller)' | 'http-proxy 1.18' | 'nginx';

export interface TargetResult {
  name: TargetName;
  rate: Spread;
  p50Ms: Spread;
  p99Ms: Spread;
  /** CPU of the forwarding process per request (undefined for the member itself). */
  proxyCpuUs: Spread | undefined;
  memberCpuUs: Spread;
  /** Read and write system calls of the forwarding process per request. */
  proxySyscalls: Spread | undefined;
  requests: number;
  failed: number;
}

export interface ProxyCostResult {
  config: ProxyCostConfig;
  clockTicks: number;
  targets: TargetResult[];
  /** ARR's req/s over http-proxy's, per round. */
  ratio: Spread;
  /**
   * What the ratio target leaves the controller, per round: the CPU every request may use in all at
   * TARGET_RATIO × http-proxy's rate on this machine's cores, less what the member spent on each
   * request behind ARR (µs; wrk and the kernel's share of loopback are still in it).
   */
  budgetUs: Spread;
  /** The CPU every request may use in all at that rate (µs). */
  allowanceUs: Spread;
  /** The most a one-thread proxy may spend per request at that rate, a core to itself (µs). */
  threadBudgetUs: Spread;
  /** nginx over http-proxy, per round (a C proxy, for scale); absent without nginx. */
  nginxRatio: Spread | undefined;
  /** The member host's req/s over the bare node:http server's, per round. */
  memberRatio: Spread;
  /** The controller's memory (after full GCs) before and after the measured rounds. */
  controllerMemory: { start: MemoryReading; end: MemoryReading; requests: number };
  profile: ProfileSummary | undefined;
  profileRequests: number;
  /** Bytes allocated (collected or not) by function over a profiled round. */
  allocation: ProfileSummary | undefined;
  allocationRequests: number;
}

interface Target {
  name: TargetName;
  port: number;
  /** Processes whose CPU is the proxy's. */
  pids: () => number[];
}

interface Sample {
  wrk: WrkResult;
  proxyTicks: number | undefined;
  proxySyscalls: number | undefined;
  memberTicks: number;
}

export interface MemoryReading {
  accepted: number;
  rss: number;
  heapUsed: number;
}

const ticksOf = (pids: number[]) => pids.reduce((a, p) => a + cpuTicks(p), 0);
const syscallsOf = (pids: number[]) => pids.reduce((a, p) => a + syscalls(p), 0);

/**
 * Part 1: a healthy 1 KiB GET through the ARR controller against the member direct, http-proxy
 * and nginx, all forwarding to the same member process, interleaved round by round (the order
 * rotates each round so no target always runs first or after the same neighbour).
 */
export async function proxyCost(config: ProxyCostConfig, tmp: string, log: (s: string) => void): Promise<ProxyCostResult> {
  const clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  let member: Child | undefined;
  let controller: Child | undefined;
  let forwarder: Child | undefined;
  let bare: Child | undefined;
  let nginx: Nginx | undefined;
  try {
    member = await startChild('member', { root: join(tmp, 'member'), timeScale: 1, script: MEMBER_SCRIPT });
    const upstream = { host: '127.0.0.1', port: member.port };
    // Time scale 1: a real-time 30 s receive timeout, so load can never turn a slow healthy
    // response into a 502 (at 0.001 it would be 30 ms of wall time).
    await mkdir(join(tmp, 'profile'), { recursive: true });
    controller = await startChild(
      'controller',
      { root: join(tmp, 'arr'), timeScale: 1, farm: {}, member: upstream, profile: join(tmp, 'profile', 'controller') },
      // Only for the memory readings between rounds; a forced GC never runs inside a measured round.
      { nodeFlags: ['--expose-gc'] },
    );
    forwarder = await startChild('http-proxy', { member: upstream });
    bare = await startChild('bare-node', { bodyBytes: BODY_BYTES });
    const b = bare;
    nginx = await startNginx(join(tmp, 'nginx'), upstream);
    const n = nginx;
    const c = controller;
    const f = forwarder;
    const targets: Target[] = [
      { name: 'member direct', port: member.port, pids: () => [] },
      { name: 'bare node:http', port: b.port, pids: () => [] },
      { name: 'ARR (lab controller)', port: c.port, pids: () => [c.pid] },
      { name: 'http-proxy 1.18', port: f.port, pids: () => [f.pid] },
      { name: 'nginx', port: n.port, pids: () => processTree(n.pid) },
    ];
    for (const t of targets) await checkTarget(t);
    const wrkFor = (t: Target, durationS: number) =>
      runWrk({ url: `http://127.0.0.1:${t.port}/`, threads: config.threads, connections: config.connections, durationS });

    for (const t of targets) await wrkFor(t, config.warmupS);
    const controllerStart = await c.ask<MemoryReading>('memory');

    const samples = new Map<TargetName, Sample[]>(targets.map((t) => [t.name, []]));
    for (let round = 0; round < config.rounds; round++) {
      const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
      for (const t of order) {
        const pids = t.pids();
        const before = { proxy: ticksOf(pids), calls: syscallsOf(pids), member: cpuTicks(member.pid) };
        const wrk = await wrkFor(t, config.durationS);
        const after = { proxy: ticksOf(pids), calls: syscallsOf(pids), member: cpuTicks(member.pid) };
        const proxied = pids.length > 0;
        samples.get(t.name)!.push({
          wrk,
          proxyTicks: proxied ? after.proxy - before.proxy : undefined,
          proxySyscalls: proxied ? after.calls - before.calls : undefined,
          memberTicks: after.member - before.member,
        });
        log(`  round ${round + 1}/${config.rounds} ${t.name}: ${Math.round(wrk.rate)} req/s, p99 ${(wrk.latencyUs.p99 / 1000).toFixed(2)} ms${wrk.failed ? `, ${wrk.failed} errors` : ''}`);
      }
    }
    const controllerEnd = await c.ask<MemoryReading>('memory');

    const usPerRequest = (ticks: number, requests: number) => (ticks / clockTicks / requests) * 1e6;
    const results: TargetResult[] = targets.map((t) => {
      const s = samples.get(t.name)!;
      return {
        name: t.name,
        rate: spread(s.map((x) => x.wrk.rate)),
        p50Ms: spread(s.map((x) => x.wrk.latencyUs.p50 / 1000)),
        p99Ms: spread(s.map((x) => x.wrk.latencyUs.p99 / 1000)),
        proxyCpuUs: s[0]?.proxyTicks === undefined ? undefined : spread(s.map((x) => usPerRequest(x.proxyTicks!, x.wrk.requests))),
        memberCpuUs: spread(s.map((x) => usPerRequest(x.memberTicks, x.wrk.requests))),
        proxySyscalls: s[0]?.proxySyscalls === undefined ? undefined : spread(s.map((x) => x.proxySyscalls! / x.wrk.requests)),
        requests: s.reduce((a, x) => a + x.wrk.requests, 0),
        failed: s.reduce((a, x) => a + x.wrk.failed, 0),
      };
    });
    const arr = samples.get('ARR (lab controller)')!;
    const hp = samples.get('http-proxy 1.18')!;
    const ratio = spread(arr.map((x, i) => x.wrk.rate / hp[i]!.wrk.rate));
    const direct = samples.get('member direct')!;
    const baseline = samples.get('bare node:http')!;
    const memberRatio = spread(direct.map((x, i) => x.wrk.rate / baseline[i]!.wrk.rate));
    // At the target rate, every request gets cores / rate of CPU for wrk, the member and the proxy together.
    const allowance = hp.map((x) => (availableParallelism() * 1e6) / (TARGET_RATIO * x.wrk.rate));
    const budget = arr.map((x, i) => allowance[i]! - usPerRequest(x.memberTicks, x.wrk.requests));
    const viaNginx = samples.get('nginx');
    const nginxRatio = viaNginx && viaNginx.length === hp.length ? spread(viaNginx.map((x, i) => x.wrk.rate / hp[i]!.wrk.rate)) : undefined;
    const arrCpu = results.find((r) => r.name === 'ARR (lab controller)')!.proxyCpuUs!;

    let profiled: Awaited<ReturnType<typeof profileRound>> | undefined;
    if (config.profile || arrCpu.median > TARGET_CPU_US || ratio.median < TARGET_RATIO) {
      log('  profiling the controller for two more rounds (CPU, allocations)');
      profiled = await profileRound(c, config);
    }
    return {
      config,
      clockTicks,
      targets: results,
      ratio,
      memberRatio,
      budgetUs: spread(budget),
      allowanceUs: spread(allowance),
      threadBudgetUs: spread(hp.map((x) => 1e6 / (TARGET_RATIO * x.wrk.rate))),
      nginxRatio,
      controllerMemory: { start: controllerStart, end: controllerEnd, requests: controllerEnd.accepted - controllerStart.accepted },
      profile: profiled?.profile,
      profileRequests: profiled?.requests ?? 0,
      allocation: profiled?.allocation,
      allocationRequests: profiled?.allocationRequests ?? 0,
    };
  } finally {
    await Promise.allSettled([stopAll([controller, forwarder, bare, member]), nginx?.stop()]);
  }
}

/** Every target answers the 1 KiB page before anything is measured; ARR's answer carries its header. */
async function checkTarget(t: Target): Promise<void> {
  const res = await request(`http://127.0.0.1:${t.port}/`);
  const body = Buffer.from(await res.body.arrayBuffer());
  if (res.statusCode !== 200 || body.length !== BODY_BYTES) {
    throw new Error(`${t.name} answered ${res.statusCode} with ${body.length} bytes, expected 200 with ${BODY_BYTES}`);
  }
  if (t.name === 'ARR (lab controller)' && !String(res.headers['x-powered-by'] ?? '').includes('ARR/')) {
    throw new Error(`${t.name} answered without ARR's X-Powered-By`);
  }
}

/**
 * Two more rounds on the same controller, not counted (the profilers slow the process): V8's
 * sampling CPU profiler, then its sampling heap profiler keeping collected objects too, so that
 * it shows where each request's garbage is made (what the collector's share is paid for).
 */
async function profileRound(controller: Child, config: ProxyCostConfig): Promise<{ profile: ProfileSummary; requests: number; allocation: ProfileSummary; allocationRequests: number }> {
  const round = async (start: string, stop: string) => {
    await controller.ask(start);
    let file = '';
    let requests = 0;
    try {
      requests = (await runWrk({ url: `http://127.0.0.1:${controller.port}/`, threads: config.threads, connections: config.connections, durationS: config.durationS })).requests;
    } finally {
      file = await controller.ask<string>(stop);
    }
    return { file, requests };
  };
  const cpu = await round('profile-start', 'profile-stop');
  const heap = await round('alloc-start', 'heap-stop');
  return { profile: await summariseCpuProfile(cpu.file), requests: cpu.requests, allocation: await summariseHeapProfile(heap.file), allocationRequests: heap.requests };
}
