import { writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { ClientResult } from '../lab/client.ts';
import type { Fault } from '../lab/containers/faults.ts';
import { startContainerFarm, type ContainerFarm } from '../lab/testing/container-farm.ts';
import { machine } from './machine.ts';
import { fmt, spread } from './stats.ts';

/**
 * `npm run bench:containers`: what container mode costs and what each real fault looks like,
 * measured (docs/containers.md quotes the file it writes). Wall times, so a bench and not a test.
 */
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' }, out: { type: 'string', default: 'bench/CONTAINERS.md' } } });
const ROUNDS = Number(values.rounds);

const SCRIPT = [
  { route: '/slow/', do: [{ sleep: '20s' }, { respond: {} }] },
  { route: '/big/', do: [{ respond: { bodyBytes: 262_144 } }] },
];

const members = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `m${i + 1}`, script: SCRIPT }));

async function startup(): Promise<string[]> {
  const one: number[] = [];
  const three: number[] = [];
  const stop: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (const [n, into] of [[1, one], [3, three]] as const) {
      const t0 = performance.now();
      const farm = await startContainerFarm({ members: members(n) });
      into.push(performance.now() - t0);
      const t1 = performance.now();
      await farm.stop();
      if (n === 3) stop.push(performance.now() - t1);
    }
  }
  const perMember = one.map((a, i) => (three[i]! - a) / 2);
  return [
    '| what | wall ms, median (min–max) |',
    '|---|---|',
    `| farm of 1 member (network, image check, container, ARR) | ${fmt(spread(one))} |`,
    `| farm of 3 members | ${fmt(spread(three))} |`,
    `| each further member | ${fmt(spread(perMember))} |`,
    `| stop of a 3-member farm (logs flushed, containers and network removed) | ${fmt(spread(stop))} |`,
  ];
}

interface Case {
  name: string;
  fault: Fault;
  /** The request is sent before the fault and is in flight at the member when it comes. */
  inFlight?: boolean;
  path?: string;
}

interface Observation {
  applyMs: number;
  outcomeMs: number;
  undoMs: number;
  client: string;
  arr: string;
  member: string;
}

function describeClient(r: ClientResult): string {
  if (r.networkError) return r.networkError;
  return `${r.status}${r.substatus ? `.${r.substatus}` : ''}${r.errorCode ? ` ${r.errorCode}` : ''}`;
}

function describeLines(farm: ContainerFarm, host: string, id: string, lostBefore = 0): string {
  const lines = farm.records(host, id).map((r) => {
    const e = r.entry as unknown as Record<string, unknown>;
    return r.kind === 'w3c' ? `${e['sc-status']} ${e['sc-substatus']} ${e['sc-win32-status']} t=${e['time-taken']}` : `HTTPERR ${e['s-reason']}`;
  });
  const lost = host !== 'arr' && (farm.lab.member(host).lost ?? 0) > lostBefore ? ' (lost with the host)' : '';
  return (lines.join('; ') || 'none') + lost;
}

async function observe(farm: ContainerFarm, c: Case, id: string): Promise<Observation> {
  const member = farm.lab.member('m1');
  // Each observation starts from a healthy server: ARR marks a server that keeps failing unhealthy (502.4).
  farm.lab.controller.setHealthy('m1', true);
  const lostBefore = member.lost ?? 0;
  let applyMs = 0;
  let t0: number;
  let response: Promise<ClientResult>;
  let undo: () => Promise<void>;
  if (c.inFlight) {
    const before = member.accepted;
    let done = false;
    response = farm.get(c.path ?? '/slow/', id).finally(() => (done = true));
    while (member.accepted === before && !done) await new Promise((r) => setTimeout(r, 5));
    t0 = performance.now();
    undo = await farm.fault('m1', c.fault);
    applyMs = performance.now() - t0;
  } else {
    const a = performance.now();
    undo = await farm.fault('m1', c.fault);
    applyMs = performance.now() - a;
    t0 = performance.now();
    response = farm.get(c.path ?? '/time/', id);
  }
  const result = await response;
  const outcomeMs = performance.now() - t0;
  const u = performance.now();
  await undo();
  const undoMs = performance.now() - u;
  await farm.settle();
  return { applyMs, outcomeMs, undoMs, client: describeClient(result), arr: describeLines(farm, 'arr', id), member: describeLines(farm, 'm1', id, lostBefore) };
}

async function faultTable(): Promise<string[]> {
  const farms: { title: string; timeout: string; timeScale: number; cases: Case[] }[] = [
    {
      title: 'ARR timeout 30 s nominal at scale 0.05 (1.5 s of wall time)', timeout: '00:00:30', timeScale: 0.05,
      cases: [
        { name: 'pause', fault: 'pause' },
        { name: 'blackhole', fault: 'blackhole' },
        { name: 'reject', fault: 'reject' },
        { name: 'crash', fault: 'crash' },
        { name: 'stop', fault: 'stop' },
        { name: 'kill, request in flight', fault: 'kill', inFlight: true },
        { name: 'disconnect, request in flight', fault: 'disconnect', inFlight: true },
      ],
    },
    {
      title: 'ARR timeout 5 min nominal at scale 0.05 (15 s of wall time): the kernel answers first', timeout: '00:05:00', timeScale: 0.05,
      cases: [
        { name: 'stop', fault: 'stop' },
        { name: 'disconnect', fault: 'disconnect' },
      ],
    },
    {
      title: 'real time (scale 1), ARR timeout 30 s: shaping and loss', timeout: '00:00:30', timeScale: 1,
      cases: [
        { name: 'bandwidth 1mbit, 256 KiB response', fault: { bandwidth: '1mbit' }, path: '/big/' },
        { name: 'loss 0.2', fault: { loss: 0.2 } },
      ],
    },
  ];
  const out: string[] = [];
  let n = 0;
  for (const f of farms) {
    const farm = await startContainerFarm({ farm: { protocol: { timeout: f.timeout } }, members: members(1) }, { timeScale: f.timeScale });
    try {
      // A healthy baseline on the same path first, for the shaping and loss cases.
      out.push('', `#### ${f.title}`, '', '| fault | apply ms | fault → outcome ms | undo ms | client | ARR W3C (status sub win32 time-taken) | member log |', '|---|---|---|---|---|---|---|');
      for (const c of f.cases) {
        const seen: Observation[] = [];
        for (let r = 0; r < ROUNDS; r++) seen.push(await observe(farm, c, `b${++n}`));
        const distinct = (pick: (o: Observation) => string) => [...new Set(seen.map(pick))].join(' / ');
        out.push(
          `| ${c.name} | ${fmt(spread(seen.map((o) => o.applyMs)))} | ${fmt(spread(seen.map((o) => o.outcomeMs)))} | ${fmt(spread(seen.map((o) => o.undoMs)))} | ${distinct((o) => o.client)} | ${distinct((o) => o.arr)} | ${distinct((o) => o.member)} |`,
        );
      }
      const base: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        const t = performance.now();
        await farm.get(f.timeScale === 1 ? '/big/' : '/time/', `b${++n}`);
        base.push(performance.now() - t);
      }
      out.push(`| (no fault: ${f.timeScale === 1 ? '256 KiB' : 'a plain'} request) | | ${fmt(spread(base))} | | | | |`);
    } finally {
      await farm.stop();
    }
  }
  return out;
}

const m = machine();
const started = new Date().toISOString();
const lines = [
  '# Container mode: measured',
  '',
  `Written by \`npm run bench:containers\` (${ROUNDS} rounds) on ${started}: ${m.cpu}, ${m.cores} cores, ${m.os}, kernel ${m.kernel}, node ${process.version}.`,
  'Wall milliseconds, median (min–max). "fault → outcome": from the fault in place (or, for a request in flight, from the fault) to the client\'s answer.',
  '',
  '## Start-up',
  '',
  ...(await startup()),
  '',
  '## Faults',
  ...(await faultTable()),
  '',
];
await writeFile(values.out!, lines.join('\n'));
console.log(lines.join('\n'));
