import { fuzzClean, type FuzzResult } from './fuzz.ts';
import { renderStorm, stormClean, type StormRun } from './storm.ts';
import type { Machine } from './machine.ts';
import { TARGET_RUN_ALL_OVERHEAD_S, TARGET_SHORT_S, type CliStartupResult } from './cli-startup.ts';
import type { HeldFigures, MemoryResult } from './memory.ts';
import { TARGET_KB_PER_HELD } from './memory.ts';
import type { ProfileSummary } from './profiles.ts';
import { NGINX_SETUP } from './nginx.ts';
import { TARGET_CPU_US, TARGET_MEMBER_RATIO, TARGET_RATIO, type ProxyCostResult } from './proxy-cost.ts';
import { fmt, num } from './stats.ts';
import { TARGET_CATALOG_WALL_S, type TimeCompressionResult } from './time-compression.ts';
import { PROBE_TIMEOUT, type TimeoutPrecisionResult } from './timeout-precision.ts';

export interface BenchRun {
  startedAt: Date;
  wallS: number;
  mode: 'full' | 'quick';
  machine: Machine;
  load: { start: number; end: number };
  proxyCost?: ProxyCostResult;
  timeCompression?: TimeCompressionResult;
  timeoutPrecision?: TimeoutPrecisionResult;
  memory?: MemoryResult;
  cliStartup?: CliStartupResult;
  fuzz?: FuzzResult;
  storm?: StormRun;
  /** Parts that did not finish, with why. */
  failures: { part: string; error: string }[];
  /** The summary tables of the results file this run replaces, newest first, kept beside the new figures. */
  previous: { written: string; table: string }[];
}

/** The summary tables of an earlier results file (its own and those it kept), newest first. */
export function previousSummaries(text: string): BenchRun['previous'] {
  const out: BenchRun['previous'] = [];
  const written = /^Written by .*? on (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC/m.exec(text)?.[1];
  const own = /\n(\| measurement \|[^\n]*\n(?:\|[^\n]*\n)+)/.exec(text)?.[1];
  if (written && own) out.push({ written, table: own.trimEnd() });
  const kept = /## Previous runs\n([\s\S]*?)(?=\n## |$)/.exec(text)?.[1] ?? '';
  for (const m of kept.matchAll(/### (.+)\n\n((?:\|[^\n]*\n?)+)/g)) out.push({ written: m[1]!, table: m[2]!.trimEnd() });
  return out;
}

function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

const met = (ok: boolean) => (ok ? 'met' : '**missed**');

/** The summary table (the one the closing note copies): every target and whether it was met. */
export function summaryTable(run: BenchRun): string {
  const rows: string[][] = [];
  const pc = run.proxyCost;
  if (pc) {
    const arr = pc.targets.find((t) => t.name === 'ARR (lab controller)')!;
    rows.push(['1. Proxy CPU per healthy 1 KiB GET (ARR controller)', `${fmt(arr.proxyCpuUs!, 0)} µs`, `≤ ${TARGET_CPU_US} µs`, met(arr.proxyCpuUs!.median <= TARGET_CPU_US)]);
    rows.push(['1. ARR req/s ÷ http-proxy req/s, same run', `${fmt(pc.ratio, 2)}×`, `≥ ${TARGET_RATIO}×`, met(pc.ratio.median >= TARGET_RATIO)]);
    rows.push(['1. member host req/s ÷ bare node:http req/s, same run', `${fmt(pc.memberRatio, 2)}×`, `≥ ${TARGET_MEMBER_RATIO}×`, met(pc.memberRatio.median >= TARGET_MEMBER_RATIO)]);
  }
  const tc = run.timeCompression;
  if (tc) {
    rows.push([
      `2. Full catalog wall time (${tc.scenarios} scenarios, ${num(tc.nominalS, 1)} s nominal)`,
      `${fmt(tc.wallS, 2)} s (${fmt(tc.ratio, 0)}× compression)`,
      `< ${TARGET_CATALOG_WALL_S} s`,
      met(tc.wallS.median < TARGET_CATALOG_WALL_S),
    ]);
  }
  const tp = run.timeoutPrecision;
  if (tp) {
    for (const c of tp.conditions) {
      rows.push([`3. 502.3 lateness after a ${PROBE_TIMEOUT} timeout, scale 1, ${c.condition} (p50 / p99 / max)`, `${num(c.pooled.p50, 1)} / ${num(c.pooled.p99, 1)} / ${num(c.pooled.max, 1)} ms`, 'reported', '–']);
    }
  }
  const m = run.memory;
  if (m) {
    rows.push([`4. RSS per held request above idle (${num(m.held)} held)`, `${fmt(m.lab.kbPerHeld, 1)} kB`, `< ${TARGET_KB_PER_HELD} kB`, met(m.lab.kbPerHeld.median < TARGET_KB_PER_HELD)]);
    rows.push([`4. Floor: the same for node:net + undici Pool forwarding to a node:net member`, `${fmt(m.floor.kbPerHeld, 1)} kB`, 'reported', '–']);
  }
  const cli = run.cliStartup;
  if (cli) {
    for (const c of cli.commands.filter((c) => c.command.includes('arr-lab'))) {
      rows.push([`5. \`${c.command.replace('node bin/arr-lab.mjs', 'arr-lab')}\` as a process`, `${fmt(c.wallS, 3)} s`, `≤ ${TARGET_SHORT_S} s`, met(c.wallS.median <= TARGET_SHORT_S)]);
    }
    rows.push([`5. \`arr-lab run all\` as a process, above the lab's own figure`, `${fmt(cli.runAll.overheadS, 2)} s`, `≤ ${TARGET_RUN_ALL_OVERHEAD_S} s`, met(cli.runAll.overheadS.median <= TARGET_RUN_ALL_OVERHEAD_S)]);
  }
  const fz = run.fuzz;
  if (fz) {
    const cases = fz.reports.reduce((a, r) => a + r.report.cases, 0);
    const hung = fz.reports.reduce((a, r) => a + r.report.hung, 0);
    const unaccounted = fz.accounting.reduce((a, x) => a + Math.abs(x.accepted - x.logged) + x.duplicates, 0);
    rows.push([
      `6. Fuzzer, ${num(fz.config.durationS)} s: ${num(cases)} cases (crashes / hung connections / requests not logged exactly once)`,
      `${fz.crashes.length} / ${hung} / ${unaccounted}`,
      '0 / 0 / 0',
      met(fuzzClean(fz)),
    ]);
  }
  const st = run.storm;
  if (st) {
    rows.push([
      `7. Fault storm, ${num(st.requests)} requests (crashes / unbalanced accounting / client ≠ ARR / client timeouts / charged healthy requests)`,
      `${st.crashes} / ${st.unaccounted} / ${st.disagreements.length} / ${st.clientTimeouts} / ${st.inflatedHealthy}`,
      '0 / 0 / 0 / 0 / 0',
      met(stormClean(st)),
    ]);
    rows.push([`7. Fault storm throughput ÷ healthy-only run of the same farm`, `${(st.reqPerS / st.healthyReqPerS).toFixed(2)}×`, '≥ 0.5×', met(st.reqPerS / st.healthyReqPerS >= 0.5)]);
  }
  for (const f of run.failures) rows.push([f.part, `did not finish: ${f.error.split('\n')[0]}`, '', '**not measured**']);
  return table(['measurement', 'median (min–max over rounds)', 'target', ''], rows);
}

/** Profile tables: `amount(share, raw)` renders one row's figure. */
function profileTables(p: ProfileSummary, label: string, amount: (share: number, raw: number) => string): string {
  const pct = (share: number) => `${num(share * 100, 1)} %`;
  const fns = (list: ProfileSummary['functions']) => list.map((f) => [`\`${f.name}\``, f.where, pct(f.share), amount(f.share, f.amount)]);
  const out = [
    'By origin (self):',
    '',
    table(['origin', 'share', label], p.origins.filter((o) => o.share >= 0.005).map((o) => [o.origin, pct(o.share), amount(o.share, o.amount)])),
    '',
    'By function (self):',
    '',
    table(['function', 'where', 'share', label], fns(p.functions)),
  ];
  if (p.inclusive) {
    out.push('', 'Project functions, inclusive (with the Node and package code they call; nested ones overlap):', '', table(['function', 'where', 'share', label], fns(p.inclusive)));
  }
  return out.join('\n');
}

function proxyCostSection(pc: ProxyCostResult): string {
  const c = pc.config;
  const rows = pc.targets.map((t) => [
    t.name,
    fmt(t.rate, 0),
    fmt(t.p50Ms, 2),
    fmt(t.p99Ms, 2),
    t.proxyCpuUs ? fmt(t.proxyCpuUs, 0) : '– (no proxy)',
    t.proxySyscalls ? fmt(t.proxySyscalls, 1) : '–',
    fmt(t.memberCpuUs, 0),
    `${num(t.requests)} / ${num(t.failed)}`,
  ]);
  const mem = pc.controllerMemory;
  const arrResult = pc.targets.find((t) => t.name === 'ARR (lab controller)')!;
  const hpResult = pc.targets.find((t) => t.name === 'http-proxy 1.18')!;
  const nginxResult = pc.targets.find((t) => t.name === 'nginx');
  const arrCpu = arrResult.proxyCpuUs!;
  const out = [
    '## 1. Proxy cost',
    '',
    `A healthy \`GET /\` answered by one member with a 1 KiB (1,024-byte) body, driven by wrk (\`-t${c.threads} -c${c.connections}\`, keep-alive) ` +
      `against four targets that all forward to the same member process: the member direct, the ARR controller, http-proxy and nginx. ` +
      `${c.rounds} rounds × 4 targets × ${c.durationS} s, interleaved (the order rotates every round), after a ${c.warmupS} s warm-up per target. ` +
      `CPU is utime + stime from \`/proc/<pid>/stat\` (all threads; ${pc.clockTicks} ticks/s) read before and after each wrk run, divided by the requests wrk completed. ` +
      'The lab hosts run as compiled JavaScript (bench/host-build.ts bundles each with esbuild, as the installed CLI runs dist/), not under tsx, ' +
      'whose keepNames wrapping of every closure costs about a fifth more CPU per request.',
    '',
    '- **ARR (lab controller)**: its own node process, started by the lab\'s in-process driver exactly as `Lab.start` starts a controller ' +
      '(bench/hosts/controller.ts): ARR request/response headers, W3SVC logging (buffered, written to disk), Failed Request Tracing with the lab\'s ' +
      'default rule (every 5xx: trace events are buffered for every request, a file is written only for a failing one, so none here), the health ' +
      'monitor (no URL test configured), the http.sys model (app-pool queue, connection timers) with its limits raised so the ' +
      'measurement is of the proxy, not of IIS\'s defaults (concurrency and appConcurrentRequestLimit 100,000, queueLength 65,535), ' +
      'time scale 1 (a real 30 s receive timeout, so load can never turn into a 502).',
    '- **member**: an IIS host of the lab (bench/hosts/member.ts) whose script is `respond: {bodyBytes: 1024}`, with its own W3SVC log.',
    '- **http-proxy 1.18.1**: `createProxyServer` with a keep-alive `http.Agent`, nothing else (bench/hosts/http-proxy.ts).',
    `- **nginx**: ${NGINX_SETUP}.`,
    '',
    table(['target', 'req/s', 'p50 ms', 'p99 ms', 'proxy CPU µs/req', 'proxy syscalls/req', 'member CPU µs/req', 'requests / errors'], rows),
    '',
    `ARR ÷ http-proxy throughput per round: ${fmt(pc.ratio, 2)}×. Target: proxy CPU ≤ ${TARGET_CPU_US} µs per request (${met(arrCpu.median <= TARGET_CPU_US)}), ` +
      `throughput ≥ ${TARGET_RATIO}× http-proxy's (${met(pc.ratio.median >= TARGET_RATIO)}).`,
    '',
    `What the ${TARGET_RATIO}× target asks of the controller here. It is one Node thread, so at ${TARGET_RATIO}× http-proxy's rate it may spend at most ` +
      `${fmt(pc.threadBudgetUs, 0)} µs per request even with a core to itself. And the machine's cores give each request ${fmt(pc.allowanceUs, 0)} µs ` +
      `of CPU in all (wrk, the member, the proxy and the kernel's loopback work together); the member spends ${fmt(arrResult.memberCpuUs, 0)} µs ` +
      `of it behind ARR, which leaves ${fmt(pc.budgetUs, 0)} µs for the controller and wrk together. http-proxy, which only forwards, spends ` +
      `${fmt(hpResult.proxyCpuUs!, 0)} µs${nginxResult?.proxyCpuUs ? `, nginx ${fmt(nginxResult.proxyCpuUs, 0)} µs` : ''}` +
      `${pc.nginxRatio ? ` (nginx ÷ http-proxy: ${fmt(pc.nginxRatio, 2)}×)` : ''}.`,
    '',
    'Proxy syscalls: read and write system calls from `/proc/<pid>/io` (`syscr` + `syscw`: socket reads and writes, log file writes; ' +
      'epoll calls are not in them). Latency is wrk\'s, over keep-alive connections.',
    '',
    `The controller's JS heap after full GCs went from ${num(mem.start.heapUsed / 1e6, 1)} MB to ${num(mem.end.heapUsed / 1e6, 1)} MB over the ` +
      `${num(mem.requests)} requests of the measured rounds, ${num((mem.end.heapUsed - mem.start.heapUsed) / Math.max(1, mem.requests), 0)} B kept per ` +
      `request (RSS ${num(mem.start.rss / 1e6, 0)} → ${num(mem.end.rss / 1e6, 0)} MB). The bench hosts run as long-running and load labs do, ` +
      'counting log records rather than keeping them in memory (`retainRecords: false`); a scenario run keeps them for its checks.',
  ];
  if (pc.profile) {
    out.push(
      '',
      '### Where the controller\'s CPU goes',
      '',
      `One more round (${num(pc.profileRequests)} requests, not counted above) with V8's sampling CPU profiler started in the controller over the inspector ` +
        '(100 µs interval), idle samples left out. The sampler charges wall time to whatever was running, also while the process waited for a core, ' +
        `so only the shares are meaningful; the µs column spreads the measured ${num(arrCpu.median, 0)} µs of CPU per request by share. ` +
        'Native frames (`writev`, `writeLatin1String`...) include the kernel work of the call: on loopback a socket write also runs the receiving side\'s ' +
        'TCP processing. Project functions are named by file and first line, mapped back from the compiled host through its source map.',
      '',
      profileTables(pc.profile, 'µs CPU per request', (share) => num(share * arrCpu.median, 1)),
    );
  }
  if (pc.allocation) {
    const perRequest = (bytes: number) => num(bytes / Math.max(1, pc.allocationRequests), 0);
    out.push(
      '',
      '### What the controller allocates per request',
      '',
      `One more round (${num(pc.allocationRequests)} requests, not counted above) with V8's sampling heap profiler (1 KiB interval) keeping ` +
        `the objects the collector has freed as well: ${perRequest(pc.allocation.total)} bytes allocated per request, by allocating function. ` +
        'This is the garbage the collector\'s share of the CPU profile is spent on.',
      '',
      profileTables(pc.allocation, 'bytes per request', (_share, bytes) => perRequest(bytes)),
    );
  }
  return out.join('\n');
}

function timeCompressionSection(tc: TimeCompressionResult): string {
  return [
    '## 2. Time compression',
    '',
    `The whole catalog as \`arr-lab run all\` runs it: load and validate every scenario file, then each scenario in a fresh in-process lab at time scale ` +
      `${tc.config.timeScale}, artifacts written; ${tc.passed.n} rounds in one child process (bench/hosts/catalog.ts), the first one with a colder JIT. ` +
      'Nominal time is the lab clock\'s elapsed time in each scenario (waits at their nominal length, real work at ' +
      'real speed), summed; wall time is the round\'s, file loading included.',
    '',
    table(
      ['scenarios', 'passed', 'nominal s', 'wall s', 'nominal ÷ wall'],
      [[String(tc.scenarios), fmt(tc.passed, 0), num(tc.nominalS, 1), fmt(tc.wallS, 2), `${fmt(tc.ratio, 0)}×`]],
    ),
    '',
    `Target: the full catalog in under ${TARGET_CATALOG_WALL_S} s of wall time (${met(tc.wallS.median < TARGET_CATALOG_WALL_S)}).` +
      (tc.failed.length ? ` Scenarios whose expectations did not all hold in some round: ${tc.failed.join(', ')}.` : '') +
      ' Slowest scenarios by wall time:',
    '',
    table(['scenario', 'nominal s', 'wall ms'], tc.slowest.map((s) => [s.name, num(s.nominalS, 1), fmt(s.wallMs, 0)])),
  ].join('\n');
}

function timeoutSection(tp: TimeoutPrecisionResult): string {
  const c = tp.config;
  const rows = tp.conditions.map((x) => [
    x.condition,
    String(x.probes),
    fmt(x.p50, 1),
    fmt(x.p99, 1),
    fmt(x.max, 1),
    `${num(x.pooled.p50, 1)} / ${num(x.pooled.p99, 1)} / ${num(x.pooled.max, 1)}`,
    `${fmt(x.loopP99, 1)} / ${fmt(x.loopMax, 1)}`,
    x.loadRate ? `${fmt(x.loadRate, 0)}${x.loadFailed ? ` (${x.loadFailed} errors)` : ''}` : '–',
  ]);
  return [
    '## 3. Timeout precision',
    '',
    `Controller and member in two processes at time scale 1; the farm's \`protocol.timeout\` is \`${PROBE_TIMEOUT}\` and \`healthCheck.minServers\` 1 ` +
      '(every probe is a live-traffic failure: without it ARR would mark the lone member unhealthy after ten and answer the load with 502.4); the member\'s script answers `/hang/` ' +
      `with \`sleep: 1h\` (and \`/\` with the 1 KiB page). Each round sends ${c.probes} probes ${c.spacingMs} ms apart (so several are in flight), each on ` +
      `its own connection; lateness is the wall time from sending a probe to its response headers, minus 2,000 ms. Every probe is checked to be ` +
      `502.3 with Error Code 0x80072ee2. ${c.rounds} rounds, idle and loaded alternating.`,
    '',
    `Half load: the controller's capacity was measured first with the part-1 wrk settings on \`/\` (${num(tp.capacity, 0)} req/s), then a second wrk ` +
      `kept about half of it (${num(tp.target, 0)} req/s) on \`/\` during the loaded probes. wrk has no rate option, so its \`delay()\` hook ` +
      `paces ${tp.pacing.connections} connections at ${tp.pacing.delayMs} ms between a response and the next request (calibrated by two 2 s runs); ` +
      'the table shows the rate wrk actually achieved.',
    '',
    table(['condition', 'probes', 'p50 ms late', 'p99 ms late', 'max ms late', 'all probes p50 / p99 / max', 'controller loop delay p99 / max ms', 'background req/s'], rows),
    '',
    'Per-round columns: median (min–max) over rounds of that round\'s percentile. There is no target for this part; p99 of a round equals ' +
      'its max at these probe counts. Loop delay: `perf_hooks.monitorEventLoopDelay` in the controller over each round\'s probes, how late its ' +
      'event loop ran what was due; a timer (the lab clock\'s) is late by at least that, plus the clock\'s two settle turns and the 502 page.',
  ].join('\n');
}

function memorySection(m: MemoryResult): string {
  const out = [
    '## 4. Memory at scale',
    '',
    `A lab whose member never answers (\`sleep: 24h\`; the farm's timeout is a day) holding ${num(m.held)} requests through the controller, ` +
      'each on its own client connection. The controller and the member run in **two processes** (not the in-process lab), each with ' +
      '`--expose-gc`; both are read after two full GCs, first idle after 200 completed warm-up requests (the baseline), then once the member has ' +
      `accepted every held request. A fresh pair of processes per round; ${m.lab.kbPerHeld.n} rounds. kB = 1,000 bytes.`,
    '',
    'The floor, measured the same way in the same rounds (each round right after the lab\'s pair, same held count, warm-up, GCs and ' +
      'baseline): a member that is a `node:net` server taking each request\'s head and never answering (bench/hosts/floor-member.ts), behind ' +
      'the least forwarder the lab\'s constraints allow, a `node:net` server that reads each request\'s head and dispatches it through one undici ' +
      '`Pool` to that member, holding the response (bench/hosts/floor-forwarder.ts). What it holds per request is the client\'s socket, undici\'s ' +
      'connection to the member (a `Client` per connection) and its socket, and the member\'s socket: no logging, no header rewriting, no timers.',
  ];
  if (m.held < m.config.held) {
    out.push(
      '',
      `**${num(m.held)} requests, not ${num(m.config.held)}**: the open-file limit here is ${num(m.fdLimit.soft)} (hard ${num(m.fdLimit.hard)}) and cannot be ` +
        `raised without CAP_SYS_RESOURCE; the controller needs two descriptors per held request (client side and member side), so ` +
        `${num(m.config.held)} do not fit in one process. That is also why the hosts run in two processes (in one, three descriptors per request). ` +
        'Where `prlimit` may raise the limit, the bench holds the full count.',
    );
  }
  const row = (name: string, f: HeldFigures) =>
    [name, fmt(f.baselineMb, 1), fmt(f.heldMb, 1), fmt(f.kbPerHeld, 1), fmt(f.controllerKbPerHeld, 1), fmt(f.memberKbPerHeld, 1), fmt(f.heapKbPerHeld, 1)];
  const above = (f: (h: HeldFigures) => { median: number }) => num(f(m.lab).median - f(m.floor).median, 1);
  out.push(
    '',
    table(
      ['pair', 'idle RSS MB (both)', 'held RSS MB (both)', 'kB/held: both', 'kB/held: controller', 'kB/held: member', 'JS heap kB/held (both)'],
      [row('ARR lab: controller + member', m.lab), row('floor: net + undici Pool forwarder, net member', m.floor)],
    ),
    '',
    `No Node+undici proxy can hold a request in less than ${num(m.floor.kbPerHeld.median, 1)} kB here (${num(m.floor.controllerKbPerHeld.median, 1)} kB ` +
      `forwarder, ${num(m.floor.memberKbPerHeld.median, 1)} kB member). The lab holds ${above((h) => h.kbPerHeld)} kB per request above that floor ` +
      `(controller ${above((h) => h.controllerKbPerHeld)}, member ${above((h) => h.memberKbPerHeld)}; JS heap ${above((h) => h.heapKbPerHeld)}). ` +
      'RSS moves with what V8 has committed besides live objects (the young generation, free pages it keeps), and the idle baseline of one pair ' +
      'can differ by tens of MB from round to round, so a few kB per request separate rounds and a short run can even put the lab under its floor; ' +
      'the JS heap after full collections is the steadier figure. ' +
      `Target: under ${TARGET_KB_PER_HELD} kB per held request above the idle baseline (${met(m.lab.kbPerHeld.median < TARGET_KB_PER_HELD)})` +
      `${m.floor.kbPerHeld.median >= TARGET_KB_PER_HELD ? ': out of reach by construction on this machine, the floor alone exceeds it' : ''}.`,
  );
  if (m.profiles) {
    out.push(
      '',
      '### Where the memory goes',
      '',
      'One more round (not counted above) with V8\'s sampling heap profiler (1 KiB interval) running in both hosts from the baseline until every ' +
        'request was held: the allocations still live at that point, by allocating function, per held request. JS heap only (sockets\' kernel ' +
        'buffers and native memory are not in it). ' +
        '`bind` and `(V8 API)` are closures and objects made by native code.',
      '',
      '**Controller**',
      '',
      profileTables(m.profiles.controller, 'bytes per held request', (_, raw) => num(raw / m.held, 0)),
      '',
      '**Member**',
      '',
      profileTables(m.profiles.member, 'bytes per held request', (_, raw) => num(raw / m.held, 0)),
    );
  }
  return out.join('\n');
}

function cliSection(c: CliStartupResult): string {
  return [
    '## 5. CLI start-up',
    '',
    'The installed command as a person runs it: `bin/arr-lab.mjs` runs the JavaScript that `npm install` compiled (esbuild, `prepare`; docs/cli.md), ' +
      'each command\'s code loaded only when that command runs. hyperfine times whole processes without a shell ' +
      `(\`-N\`, ${c.config.warmup} warm-up and ${c.config.runs} timed runs each); \`node -e 0\` is the floor no Node program goes under on this machine.`,
    '',
    table(['command', 'wall s, median (min–max)', 'user s (mean)', 'system s (mean)'], c.commands.map((x) => [`\`${x.command}\``, fmt(x.wallS, 3), num(x.userS, 3), num(x.systemS, 3)])),
    '',
    `\`arr-lab run all --json\` (${c.runAll.scenarios} scenarios), ${c.runAll.processS.n} processes: ${fmt(c.runAll.processS, 2)} s each as a process against ` +
      `${fmt(c.runAll.labS, 2)} s by the lab's own figure (the sum of its scenarios' wall times, as its summary line prints): ` +
      `${fmt(c.runAll.overheadS, 2)} s above it for starting Node, loading and validating the catalog, and writing the output ` +
      `(target ≤ ${TARGET_RUN_ALL_OVERHEAD_S} s: ${met(c.runAll.overheadS.median <= TARGET_RUN_ALL_OVERHEAD_S)}).`,
  ].join('\n');
}

function fuzzSection(f: FuzzResult): string {
  const statuses = [...new Set(f.reports.flatMap((r) => Object.keys(r.report.statuses)))].sort();
  return [
    '## 6. Fuzzing the http.sys front',
    '',
    `lab/fuzz/request-fuzzer.ts mutates valid requests (GET, a pipelined pair, POST with Content-Length, chunked POST, 100-continue, ` +
      `HTTP/1.0 HEAD, OPTIONS *) one to four times (bytes flipped, inserted, deleted, lines duplicated, runs grown past the limits, ` +
      `line ends, numbers and headers changed) and sends each case on its own connection, ${f.config.concurrency} at a time per host, ` +
      `to the controller and to a member of a lab at time scale 0.001 for ${num(f.config.durationS)} s (${num(f.wallS, 0)} s wall in all). ` +
      'A connection must end with an answer or a close (hung: still open after 30 s); every request a host accepted must be logged exactly once.',
    '',
    table(
      ['host', 'cases', 'answered', 'closed without a byte', 'hung', ...statuses.map((s) => `status ${s}`)],
      f.reports.map((r) => [r.host, num(r.report.cases), num(r.report.answered), num(r.report.closedSilently), num(r.report.hung), ...statuses.map((s) => num(r.report.statuses[s] ?? 0))]),
    ),
    '',
    table(['host', 'requests accepted', 'lines logged (W3SVC + HTTPERR)', 'logged twice'], f.accounting.map((a) => [a.host, num(a.accepted), num(a.logged), num(a.duplicates)])),
    '',
    f.crashes.length === 0 ? 'No uncaught exception or unhandled rejection.' : `Crashes:\n\n${f.crashes.map((c) => `- \`${c.split('\n')[0]}\``).join('\n')}`,
  ].join('\n');
}

export function renderResults(run: BenchRun): string {
  const m = run.machine;
  const parts = [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` (bench/run.ts${run.mode === 'quick' ? ' --quick: short rounds, for development only' : ''}) on ` +
      `${run.startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC in ${num(run.wallS, 0)} s. Everything runs on loopback. Figures are the median ` +
      'over rounds with the min–max spread in brackets.',
    '',
    summaryTable(run),
    '',
    ...(run.previous.length > 0
      ? ['## Previous runs', '', 'The summary tables of the runs before this one, as they were written (targets as they stood then).', '', ...run.previous.flatMap((p) => [`### ${p.written}`, '', p.table, ''])]
      : []),
    '## Machine',
    '',
    table(
      ['', ''],
      [
        ['CPU', `${m.cpu}, ${m.cores} cores`],
        ['memory', `${num(m.memoryGiB, 1)} GiB`],
        ['OS', `${m.os}, Linux ${m.kernel}`],
        ...Object.entries(m.versions).map(([k, v]) => [k, v]),
        ['1-min load average', `${num(run.load.start, 2)} at start, ${num(run.load.end, 2)} at end`],
      ],
    ),
    '',
    `A load average well above 0 at the start means other work shared the ${m.cores} cores: the figures are then noisier and lower than the machine can do.`,
  ];
  if (run.proxyCost) parts.push('', proxyCostSection(run.proxyCost));
  if (run.timeCompression) parts.push('', timeCompressionSection(run.timeCompression));
  if (run.timeoutPrecision) parts.push('', timeoutSection(run.timeoutPrecision));
  if (run.memory) parts.push('', memorySection(run.memory));
  if (run.cliStartup) parts.push('', cliSection(run.cliStartup));
  if (run.fuzz) parts.push('', fuzzSection(run.fuzz));
  if (run.storm) parts.push('', renderStorm(run.storm).trimEnd());
  if (run.failures.length) {
    parts.push('', '## Parts that did not finish', '', ...run.failures.map((f) => `- **${f.part}**: ${f.error}`));
  }
  return `${parts.join('\n')}\n`;
}
