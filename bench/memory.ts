import { execFileSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { delay, startChild, stopAll, type Child } from './children.ts';
import { summariseHeapProfile, type ProfileSummary } from './profiles.ts';
import { spread, type Spread } from './stats.ts';

export interface MemoryConfig {
  rounds: number;
  /** Requests to hold; fewer when the open-file limit cannot allow them (stated in RESULTS.md). */
  held: number;
  warmups: number;
  /** Wall ms to wait for the member to have accepted every held request. */
  holdWithinMs: number;
  /** Profile the heap for one extra round even when the target is met. */
  profile: boolean;
}

export const TARGET_KB_PER_HELD = 10;
/** Connections opened at once; the listen backlog (511) stays well above it. */
const BATCH = 250;
/** Descriptors a controller needs besides its two per held request (listener, logs, stdio, epoll...). */
const FD_MARGIN = 100;

interface Reading {
  accepted: number;
  rss: number;
  heapUsed: number;
}

/** What holding the requests cost one pair of hosts, over the rounds. */
export interface HeldFigures {
  baselineMb: Spread;
  heldMb: Spread;
  /** kB (1000 bytes) of RSS per held request above the idle baseline: both hosts, then each. */
  kbPerHeld: Spread;
  controllerKbPerHeld: Spread;
  memberKbPerHeld: Spread;
  heapKbPerHeld: Spread;
}

export interface MemoryResult {
  config: MemoryConfig;
  held: number;
  fdLimit: { soft: number; hard: number };
  /** The lab's controller and member. */
  lab: HeldFigures;
  /** The floor pair (bench/hosts/floor-*.ts): the least a Node proxy forwarding with undici holds. */
  floor: HeldFigures;
  /** Live allocations made while the requests were taken on, by allocating function (one profiled round). */
  profiles: { controller: ProfileSummary; member: ProfileSummary } | undefined;
}

function fileLimit(): { soft: number; hard: number } {
  const out = execFileSync('prlimit', ['--pid', String(process.pid), '--nofile', '--noheadings', '--output=SOFT,HARD'], { encoding: 'utf8' });
  const [soft, hard] = out.trim().split(/\s+/).map(Number);
  return { soft: soft!, hard: hard! };
}

/**
 * Tries to raise this process's open-file limit (children inherit it); that needs
 * CAP_SYS_RESOURCE past the hard limit. Node raises its own soft limit to the hard one at start.
 */
function raiseFileLimit(wanted: number): { soft: number; hard: number } {
  try {
    execFileSync('prlimit', ['--pid', String(process.pid), `--nofile=${wanted}:${wanted}`], { stdio: 'ignore' });
  } catch {
    // Not permitted: the hard limit stays, and the count of held requests follows it.
  }
  return fileLimit();
}

/**
 * Part 4: a lab whose member never answers, holding `held` requests through the controller. The
 * controller and the member run in two processes (not the in-process lab) so each gets the whole
 * open-file limit: the controller needs two descriptors per held request (client and member
 * side), the member one. RSS after full GCs, against the idle baseline after warm-up requests;
 * a fresh pair of processes per round. Each round measures the floor pair the same way right
 * after the lab: what any Node proxy forwarding with undici holds, so the lab's share is what lies
 * above it.
 */
export async function memoryAtScale(config: MemoryConfig, tmp: string, log: (s: string) => void): Promise<MemoryResult> {
  const fdLimit = raiseFileLimit(2 * config.held + FD_MARGIN);
  const held = Math.min(config.held, Math.floor((fdLimit.soft - FD_MARGIN) / 2));
  if (held < config.held) log(`  open-file limit ${fdLimit.soft} (hard ${fdLimit.hard}): holding ${held} requests, not ${config.held}`);
  const lab: Round[] = [];
  const floor: Round[] = [];
  const perHeld = (r: Round) => ((total(r.held) - total(r.base)) / held / 1000).toFixed(2);
  for (let round = 0; round < config.rounds; round++) {
    const dir = join(tmp, `round-${round + 1}`);
    const l = await holdRound(config, held, join(dir, 'lab'), startLab, false);
    const f = await holdRound(config, held, join(dir, 'floor'), startFloor, false);
    lab.push(l);
    floor.push(f);
    log(`  round ${round + 1}: baseline ${(total(l.base) / 1e6).toFixed(1)} MB, ${held} held ${(total(l.held) / 1e6).toFixed(1)} MB, ` +
      `${perHeld(l)} kB per held request (floor ${perHeld(f)} kB)`);
  }
  const labFigures = figures(lab, held);
  let profiles: MemoryResult['profiles'];
  if (config.profile || labFigures.kbPerHeld.median > TARGET_KB_PER_HELD) {
    log('  one more round with the sampling heap profiler on both hosts');
    profiles = (await holdRound(config, held, join(tmp, 'profiled'), startLab, true)).profiles;
  }
  return { config, held, fdLimit, lab: labFigures, floor: figures(floor, held), profiles };
}

function figures(rounds: Round[], held: number): HeldFigures {
  const perHeld = (f: (r: Reading[]) => number) => spread(rounds.map((r) => (f(r.held) - f(r.base)) / held / 1000));
  return {
    baselineMb: spread(rounds.map((r) => total(r.base) / 1e6)),
    heldMb: spread(rounds.map((r) => total(r.held) / 1e6)),
    kbPerHeld: perHeld(total),
    controllerKbPerHeld: perHeld((r) => r[0]!.rss),
    memberKbPerHeld: perHeld((r) => r[1]!.rss),
    heapKbPerHeld: perHeld((r) => r[0]!.heapUsed + r[1]!.heapUsed),
  };
}

/** Starts a pair of hosts in `root`: controller, then member. */
type StartPair = (root: string) => Promise<{ controller: Child; member: Child }>;

const GC = { nodeFlags: ['--expose-gc'] };

/** The lab's own hosts, started by the lab's driver; they profile on request. */
const startLab: StartPair = async (root) => {
  const member = await startChild('member', { root: join(root, 'member'), timeScale: 1, script: MEMBER_SCRIPT, profile: join(root, 'member') }, GC);
  try {
    const controller = await startChild(
      'controller',
      // A day: nothing the bench waits for ever reaches it.
      { root: join(root, 'arr'), timeScale: 1, farm: { protocol: { timeout: '1.00:00:00' } }, member: { host: '127.0.0.1', port: member.port }, profile: join(root, 'arr') },
      GC,
    );
    return { controller, member };
  } catch (err) {
    await member.stop();
    throw err;
  }
};

/** The floor: a node:net member that never answers, behind a node:net server forwarding through an undici Pool. */
const startFloor: StartPair = async () => {
  const member = await startChild('floor-member', {}, GC);
  try {
    return { controller: await startChild('floor-forwarder', { member: { host: '127.0.0.1', port: member.port } }, GC), member };
  } catch (err) {
    await member.stop();
    throw err;
  }
};

interface Round {
  /** Controller, then member. */
  base: Reading[];
  held: Reading[];
  profiles?: { controller: ProfileSummary; member: ProfileSummary };
}

const total = (r: Reading[]) => r.reduce((a, x) => a + x.rss, 0);

/** A fresh controller and member: warm up, read the baseline, hold `held` requests, read again. */
async function holdRound(config: MemoryConfig, held: number, root: string, start: StartPair, profile: boolean): Promise<Round> {
  let hosts: Child[] = [];
  const sockets: Socket[] = [];
  try {
    await mkdir(root, { recursive: true });
    const { controller, member } = await start(root);
    hosts = [controller, member];
    await warm(controller.port, config.warmups);
    const base = await Promise.all(hosts.map((h) => h.ask<Reading>('memory')));
    if (profile) await Promise.all(hosts.map((h) => h.ask('heap-start')));
    await hold(controller.port, held, sockets);
    await untilHeld(member, base[1]!.accepted + held, config.holdWithinMs);
    const during = await Promise.all(hosts.map((h) => h.ask<Reading>('memory')));
    if (!profile) return { base, held: during };
    const [c, m] = await Promise.all(hosts.map(async (h) => summariseHeapProfile(await h.ask<string>('heap-stop'))));
    return { base, held: during, profiles: { controller: c!, member: m! } };
  } finally {
    for (const s of sockets) s.destroy();
    await stopAll(hosts);
  }
}

/** `/warm/` answers, so the baseline has those code paths compiled; everything else never does. */
const MEMBER_SCRIPT = [
  { route: '/warm/', do: ['respond'] },
  { route: '/', do: [{ sleep: '24h' }] },
];

/** Requests that complete, so the baseline has every code path loaded and compiled. */
async function warm(port: number, count: number): Promise<void> {
  const agent = new Agent({ connections: 8 });
  try {
    for (let i = 0; i < count; i += 8) {
      await Promise.all(
        Array.from({ length: Math.min(8, count - i) }, async () => {
          const res = await request(`http://127.0.0.1:${port}/warm/`, { dispatcher: agent });
          await res.body.dump();
          if (res.statusCode !== 200) throw new Error(`warm-up request answered ${res.statusCode}`);
        }),
      );
    }
  } finally {
    await agent.destroy();
  }
}

/** Opens `count` raw connections, each with one GET that the member will never answer. */
async function hold(port: number, count: number, sockets: Socket[]): Promise<void> {
  const get = Buffer.from('GET /hang HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: arr-lab-bench\r\n\r\n');
  for (let i = 0; i < count; i += BATCH) {
    await Promise.all(
      Array.from({ length: Math.min(BATCH, count - i) }, () =>
        new Promise<void>((resolve, reject) => {
          const s = connect({ host: '127.0.0.1', port });
          sockets.push(s);
          s.once('error', reject);
          s.once('connect', () => {
            s.write(get);
            resolve();
          });
        }),
      ),
    );
  }
}

async function untilHeld(member: Child, accepted: number, withinMs: number): Promise<void> {
  const started = performance.now();
  for (;;) {
    const { accepted: now } = await member.ask<{ accepted: number }>('stats');
    if (now >= accepted) return;
    if (performance.now() - started > withinMs) throw new Error(`after ${withinMs} ms the member had accepted ${now} of ${accepted} requests`);
    await delay(100);
  }
}
