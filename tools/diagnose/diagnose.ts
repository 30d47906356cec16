import { num, rowTime, type W3cRow } from '../../lab/artifacts/w3c-reader.ts';
import { faultClass, type FaultClassId } from '../../lab/diagnosis/taxonomy.ts';
import type { Artifacts, HostArtifacts, LogFile } from './collect.ts';

/**
 * `arr-lab diagnose`: the fault class of every request ARR failed, with the lines that prove it,
 * as a support engineer reads the artifacts: ARR's W3SVC status triple first (docs/reference.md §9), then
 * what the members logged for the same request (W3SVC, HTTPERR, matched by URL and time; FREB
 * by the X-ARR-LOG-ID ARR appends to its cs-uri-query, or by URL and time without it), ARR's WinHTTP trace for what lies beneath a 12002, and the event log.
 */
export interface EvidenceLine {
  file: string;
  line?: number;
  shows: string;
}

export interface RequestDiagnosis {
  /** ARR's log line, `file:line`: the key of the answer protocol (docs/tools.md). */
  key: string;
  arrLogId?: string;
  time: string;
  method: string;
  uri: string;
  /** ARR's `sc-status sc-substatus sc-win32-status time-taken`, or the HTTPERR reason. */
  logged: string;
  class: FaultClassId;
  why: string;
  fix: string;
  evidence: EvidenceLine[];
}

export interface DiagnoseReport {
  controller: string | undefined;
  members: string[];
  bundle: { class: FaultClassId; why: string; fix: string; evidence: EvidenceLine[] };
  requests: RequestDiagnosis[];
  problems: string[];
}

interface Located {
  host: string;
  file: string;
  row: W3cRow;
}

/** ERROR_CONNECTION_ABORTED: IIS's send failed because http.sys cut the connection (docs/reference.md §3.3). */
const HOST_ABORTED = 1236;
const SLOW_CLIENT_TIMERS = new Set(['Timer_HeaderWait', 'Timer_EntityBody', 'Timer_MinBytesPerSecond']);
/** `X-ARR-LOG-ID=<guid>` in ARR's cs-uri-query (docs/reference.md §5.2). */
const LOG_ID_IN_QUERY = /(?:^|&)X-ARR-LOG-ID=([0-9a-f-]{36})(?:&|$)/i;
/** How far apart two hosts' 1-second timestamps of one request may be. */
const SAME_MOMENT_MS = 2500;
/** http.sys waits up to a minute for a dropped request's logging data (docs/reference.md §6.4, Connection_Dropped). */
const LATE_HTTPERR_MS = 125_000;

const rows = (files: LogFile[], host: string): Located[] => files.flatMap((f) => f.rows.map((row) => ({ host, file: f.file, row })));
const at = (l: Located) => `${l.file}:${l.row.line}`;
const ev = (l: Located, shows: string): EvidenceLine => ({ file: l.file, line: l.row.line, shows: `${l.host} ${shows}` });
const w3cText = (r: W3cRow) => `${r.values['cs-method']} ${r.values['cs-uri-stem']} ${r.values['sc-status']} ${r.values['sc-substatus']} ${r.values['sc-win32-status']} ${r.values['time-taken']}`;
const httperrText = (r: W3cRow) => `HTTPERR ${r.values['cs-method']} ${r.values['cs-uri']} ${r.values['sc-status']} ${r.values['s-reason']}`;
const stemOf = (uri: string | undefined) => (uri ?? '').split('?')[0]!;

/** Scores how much a host looks like the ARR controller: a WinHTTP trace, ARR's FREB events, 502.3/502.4 lines. */
function controllerScore(h: HostArtifacts): number {
  let score = h.winhttp.length * 4 + h.freb.filter((f) => f.trace.routedTo !== undefined).length * 2 + (h.name.toLowerCase() === 'arr' ? 3 : 0);
  for (const f of h.w3svc) for (const r of f.rows) if (r.values['sc-status'] === '502' && ['3', '4'].includes(r.values['sc-substatus'] ?? '')) score += 1;
  return score;
}

export function diagnose(artifacts: Artifacts): DiagnoseReport {
  const ranked = [...artifacts.hosts].sort((a, b) => controllerScore(b) - controllerScore(a));
  const controller = ranked[0] && (controllerScore(ranked[0]) > 0 || artifacts.hosts.length === 1) ? ranked[0] : undefined;
  const members = artifacts.hosts.filter((h) => h !== controller);
  const arrIp = controller ? rows(controller.w3svc, controller.name).map((l) => l.row.values['s-ip']).find((ip) => ip && ip !== '-') : undefined;
  const fromArr = (list: Located[]) => {
    const seen = list.filter((l) => l.row.values['c-ip'] === arrIp);
    return arrIp && seen.length > 0 ? seen : list;
  };
  const memberW3c = members.flatMap((m) => fromArr(rows(m.w3svc, m.name)));
  const memberHttperr = members.flatMap((m) => rows(m.httperr, m.name));
  const traces = controller?.winhttp.flatMap((t) => t.failures.map((f) => ({ ...f, file: t.file }))) ?? [];
  const frebs = controller?.freb ?? [];
  const usedFreb = new Set<string>();
  const controllerTimers = controller ? rows(controller.httperr, controller.name) : [];
  // A member line explains one request: later requests prefer lines no earlier one used.
  const claimed = new Set<string>();
  const byClaimThen = (distance: (m: Located) => number) => (a: Located, b: Located) => Number(claimed.has(at(a))) - Number(claimed.has(at(b))) || distance(a) - distance(b);

  const requests: RequestDiagnosis[] = [];
  for (const l of controller ? rows(controller.w3svc, controller.name) : []) {
    const status = num(l.row, 'sc-status') ?? 0;
    const win32 = num(l.row, 'sc-win32-status') ?? 0;
    if (status < 500 && (win32 === 0 || win32 === 64)) continue;
    const end = rowTime(l.row);
    if (status < 500 && win32 === HOST_ABORTED) {
      // ARR's own send to its client was cut: a fault only when http.sys's send-rate timer did it.
      const timer = controllerTimers.find((t) => t.row.values['s-reason'] === 'Timer_MinBytesPerSecond' && Math.abs(rowTime(t.row) - end) < SAME_MOMENT_MS);
      if (timer) {
        requests.push({
          key: at(l), time: `${l.row.values.date} ${l.row.values.time}`, method: l.row.values['cs-method'] ?? '-', uri: l.row.values['cs-uri-stem'] ?? '-',
          logged: `${status} ${l.row.values['sc-substatus']} ${win32} ${l.row.values['time-taken']}`, class: 'slow-client',
          why: 'the client read the response slower than minBytesPerSecond and http.sys cut it (1236, Timer_MinBytesPerSecond)', fix: faultClass('slow-client').fix,
          evidence: [ev(l, `W3SVC ${w3cText(l.row)}`), ev(timer, httperrText(timer.row))],
        });
      }
      continue;
    }
    const taken = num(l.row, 'time-taken') ?? 0;
    const start = end - taken;
    const method = l.row.values['cs-method'] ?? '-';
    const stem = l.row.values['cs-uri-stem'] ?? '-';
    const evidence: EvidenceLine[] = [ev(l, `W3SVC ${w3cText(l.row)}`)];
    // ARR's own trace of the request: same URL and status, ended in the same second or so.
    const statusCode = `${status}${l.row.values['sc-substatus'] && l.row.values['sc-substatus'] !== '0' ? `.${l.row.values['sc-substatus']}` : ''}`;
    // ARR 3 appends the request's X-ARR-LOG-ID to cs-uri-query: the trace with that id is this request's, whatever the timing.
    const queryLogId = LOG_ID_IN_QUERY.exec(l.row.values['cs-uri-query'] ?? '')?.[1];
    const byLogId = queryLogId === undefined ? undefined : frebs.find((f) => f.trace.arrLogId?.toLowerCase() === queryLogId.toLowerCase());
    const freb = byLogId ?? frebs
      .filter((f) => !usedFreb.has(f.file) && (queryLogId === undefined || f.trace.arrLogId === undefined) && f.trace.path === stem && f.trace.statusCode === statusCode && Math.abs(f.trace.endedAt - end) < SAME_MOMENT_MS)
      .sort((a, b) => Math.abs(a.trace.endedAt - end) - Math.abs(b.trace.endedAt - end))[0];
    if (freb) {
      usedFreb.add(freb.file);
      evidence.push({ file: freb.file, shows: `${controller!.name} FREB ${freb.trace.statusCode}${freb.trace.routedTo ? ` routed to ${freb.trace.routedTo}` : ''}${freb.trace.error ? `, ${freb.trace.error}` : ''}` });
    }
    const arrLogId = freb?.trace.arrLogId ?? queryLogId;
    const memberFreb = arrLogId ? members.flatMap((m) => m.freb.filter((f) => f.trace.arrLogId === arrLogId).map((f) => ({ host: m.name, ...f }))) : [];
    for (const f of memberFreb) evidence.push({ file: f.file, shows: `${f.host} FREB ${f.trace.statusCode} with X-ARR-LOG-ID ${arrLogId}` });

    // ARR's FREB names the server it routed to (ARR_SERVER_ROUTED): then only that member's lines count.
    const routed = freb?.trace.routedTo?.toLowerCase();
    const routedHost = routed === undefined ? undefined
      : members.find((m) => m.name.toLowerCase() === routed || m.w3svc.some((f) => f.rows.some((r) => r.values['s-ip'] === routed)));
    const sameRequest = (m: Located) =>
      (routedHost === undefined || m.host === routedHost.name) &&
      m.row.values['cs-method'] === method && (m.row.values['cs-uri-stem'] ?? stemOf(m.row.values['cs-uri'])) === stem;
    // Member W3SVC lines of this request: it started there while ARR had it (ARR may have held it
    // in its own queue first), closest to ARR's start first.
    const startOf = (m: Located) => rowTime(m.row) - (num(m.row, 'time-taken') ?? 0);
    const memberLines = memberW3c
      .filter((m) => sameRequest(m) && startOf(m) > start - SAME_MOMENT_MS && startOf(m) < end + SAME_MOMENT_MS)
      .sort(byClaimThen((m) => Math.abs(rowTime(m.row) - (num(m.row, 'time-taken') ?? 0) - start)));
    // Member HTTPERR lines of this request: logged while ARR waited, or up to a minute after it gave up.
    const memberErrs = memberHttperr
      .filter((m) => sameRequest(m) && rowTime(m.row) >= start - SAME_MOMENT_MS && rowTime(m.row) <= end + LATE_HTTPERR_MS)
      .sort(byClaimThen((m) => Math.abs(rowTime(m.row) - end)));
    // The trace has the time of day only; a line explains one request, the closest unclaimed first.
    const near = traces
      .filter((t) => Math.abs(t.timeOfDay - (end % 86_400_000)) < SAME_MOMENT_MS)
      .sort((a, b) => Number(claimed.has(`${a.file}:${a.line}`)) - Number(claimed.has(`${b.file}:${b.line}`)) || Math.abs(a.timeOfDay - (end % 86_400_000)) - Math.abs(b.timeOfDay - (end % 86_400_000)));
    const trace = near.find((t) => t.winhttpCode === win32) ?? near[0];

    const verdict = classify({ status, substatus: num(l.row, 'sc-substatus') ?? 0, win32, taken, method, memberLines, memberErrs, trace, members, end, memberHttperr });
    for (const m of verdict.used) claimed.add(at(m));
    for (const m of verdict.used) evidence.push(ev(m, m.row.values['s-reason'] !== undefined ? httperrText(m.row) : `W3SVC ${w3cText(m.row)}`));
    if (trace && verdict.usedTrace) claimed.add(`${trace.file}:${trace.line}`);
    if (trace && verdict.usedTrace) evidence.push({ file: trace.file, line: trace.line, shows: `${controller!.name} WinHTTP ${trace.cause} ${trace.causeCode} -> ${trace.winhttp} ${trace.winhttpCode}` });
    requests.push({
      key: at(l), ...(arrLogId && { arrLogId }), time: `${l.row.values.date} ${l.row.values.time}`, method, uri: stem,
      logged: `${status} ${l.row.values['sc-substatus']} ${win32} ${taken}`, class: verdict.class, why: verdict.why, fix: faultClass(verdict.class).fix, evidence,
    });
  }
  // Requests http.sys ended on the controller itself because the client was too slow.
  for (const l of controller ? rows(controller.httperr, controller.name) : []) {
    const reason = l.row.values['s-reason'] ?? '';
    if (!SLOW_CLIENT_TIMERS.has(reason) || l.row.values['cs-method'] === '-') continue;
    requests.push({
      key: at(l), time: `${l.row.values.date} ${l.row.values.time}`, method: l.row.values['cs-method'] ?? '-', uri: l.row.values['cs-uri'] ?? '-',
      logged: reason, class: 'slow-client', why: `http.sys on ARR ended the request: ${reason}`, fix: faultClass('slow-client').fix, evidence: [ev(l, httperrText(l.row))],
    });
  }
  return { controller: controller?.name, members: members.map((m) => m.name), bundle: bundleVerdict(requests, controller, members, traces), requests, problems: artifacts.problems };
}

interface Facts {
  status: number;
  substatus: number;
  win32: number;
  taken: number;
  method: string;
  memberLines: Located[];
  memberErrs: Located[];
  trace: { cause: string; causeCode: number; winhttpCode: number; stage: string | undefined } | undefined;
  members: HostArtifacts[];
  end: number;
  memberHttperr: Located[];
}

interface Verdict {
  class: FaultClassId;
  why: string;
  used: Located[];
  usedTrace?: boolean;
}

/** The rules, in the order a support engineer applies them (docs/reference.md §3.2, §6.4, §9). */
function classify(f: Facts): Verdict {
  const firstErr = (reasons: RegExp) => f.memberErrs.find((m) => reasons.test(m.row.values['s-reason'] ?? ''));
  if (f.status === 502 && f.substatus === 4) return { class: 'no-server-available', why: '502.4: ARR found no server to route to', used: [] };
  if (f.win32 === 12029) return { class: 'connect-refused', why: '12029 ERROR_WINHTTP_CANNOT_CONNECT: the member refused the connection', used: [], usedTrace: true };
  if (f.win32 === 12007) return { class: 'name-resolution', why: '12007 ERROR_WINHTTP_NAME_NOT_RESOLVED', used: [], usedTrace: true };
  if (f.win32 === 12017) return { class: 'server-made-unavailable', why: '12017 operation canceled: the server was taken out with the request in flight', used: f.memberLines.slice(0, 1) };
  if (f.win32 === 12152) return { class: 'partial-response', why: '12152 ERROR_WINHTTP_INVALID_SERVER_RESPONSE: the member ended its response part way', used: [...f.memberErrs.slice(0, 1), ...f.memberLines.slice(0, 1)], usedTrace: true };
  if (f.win32 === 12002) {
    // Running on the member for a while, and still when ARR gave up (log times are whole seconds).
    const ran = f.memberLines.find((m) => rowTime(m.row) >= f.end - 1000 && (num(m.row, 'time-taken') ?? 0) >= 1000);
    if (ran) {
      const upload = ['POST', 'PUT', 'PATCH'].includes(f.method) && num(ran.row, 'sc-win32-status') === 0;
      return upload
        ? { class: 'send-timeout', why: 'ARR timed out sending the body while the member, which completed the upload later with 0, was not reading it', used: [ran] }
        : { class: 'member-timeout', why: 'the member was still running the request when ARR timed out (12002)', used: [ran], usedTrace: true };
    }
    const dropped = firstErr(/^(Connection_Dropped|Connection_Dropped_List_Full|Client_Reset|Timer_\w+)$/);
    if (dropped) return { class: 'member-timeout', why: `the member had the request when ARR timed out and dropped it: ${dropped.row.values['s-reason']}`, used: [dropped] };
    if (f.trace?.stage === 'resolve') return { class: 'name-resolution', why: 'WinHTTP trace: the timeout came while resolving the server name, and no member logged the request', used: [], usedTrace: true };
    if (f.trace?.stage === 'send') return { class: 'send-timeout', why: 'WinHTTP trace: the timeout came while sending the request', used: [], usedTrace: true };
    if (f.trace?.causeCode === 10060) return { class: 'connect-timeout', why: 'WinHTTP trace: WSAETIMEDOUT (10060) under 12002, and no member logged the request', used: [], usedTrace: true };
    if (f.trace && f.members.length > 0) return { class: 'connect-timeout', why: 'a 12002 no member logged, WinHTTP\'s own timer (1460) beneath it: the connection never reached a member', used: [], usedTrace: true };
    if (f.members.length > 0) return { class: 'connect-timeout', why: 'a 12002 no member logged: the connection never reached a member', used: [] };
    return { class: 'member-timeout', why: '12002 with no member logs to look at: most often a member slower than the farm timeout', used: [] };
  }
  if (f.win32 === 12030) {
    const reason = (name: RegExp) => firstErr(name);
    const crash = reason(/^Connection_Abandoned_By_(ReqQueue|AppPool)$/);
    if (crash) return { class: 'worker-crash', why: `the member's worker process went away: ${crash.row.values['s-reason']}`, used: [crash] };
    const full = reason(/^QueueFull$/);
    if (full) return { class: 'queue-full', why: 'the member\'s app-pool queue was full and http.sys reset the connection (TcpLevel)', used: [full] };
    const queued = reason(/^Timer_ReqQueue$/);
    if (queued) return { class: 'queue-timeout', why: 'the request waited in the member\'s queue past connectionTimeout', used: [queued] };
    // http.sys reports refused connections once per period, after the fact.
    const refused = f.memberHttperr.find((m) => /^\d+_Connections_Refused$/.test(m.row.values['s-reason'] ?? '') && rowTime(m.row) >= f.end - SAME_MOMENT_MS && rowTime(m.row) <= f.end + LATE_HTTPERR_MS);
    if (refused) return { class: 'nonpaged-pool', why: 'the member\'s http.sys was refusing connections (nonpaged pool below 20 MB)', used: [refused] };
    const dropped = reason(/^Connection_Dropped(_List_Full)?$/);
    return { class: 'response-close', why: '12030: the member closed the connection before any response byte', used: dropped ? [dropped] : [], usedTrace: true };
  }
  if (f.status === 503) {
    const qf = firstErr(/^QueueFull$/);
    if (qf) return { class: 'queue-full', why: 'the member\'s http.sys answered 503 QueueFull', used: [qf] };
    const pool = firstErr(/^(Disabled|AppOffline|AppShutdown|AppPoolTimer)$/);
    if (pool) return { class: 'app-pool-unavailable', why: `the member's http.sys answered 503 ${pool.row.values['s-reason']}: its application pool could not take the request`, used: [pool] };
    const cl = firstErr(/^ConnLimit$/);
    if (cl) return { class: 'connection-limit', why: 'the member\'s http.sys answered 503 ConnLimit', used: [cl] };
    const limited = f.memberLines.find((m) => m.row.values['sc-status'] === '503' && m.row.values['sc-substatus'] === '2');
    if (limited) return { class: 'concurrent-request-limit', why: 'the member answered 503.2 (appConcurrentRequestLimit)', used: [limited] };
    if (f.memberLines.length === 0 && f.members.length === 0) return { class: 'queue-full', why: 'a 503 ARR passed on, without member logs: most often an http.sys queue', used: [] };
  }
  const own = f.memberLines.find((m) => m.row.values['sc-status'] === String(f.status));
  return { class: 'member-error', why: `the member answered ${f.status} and ARR passed it on`, used: own ? [own] : [] };
}

const HEALTH_EVENTS = new Set([1000, 1002]);

function bundleVerdict(requests: RequestDiagnosis[], controller: HostArtifacts | undefined, members: HostArtifacts[], traces: { winhttpCode: number; file: string; line: number }[]): DiagnoseReport['bundle'] {
  const verdict = (c: FaultClassId, why: string, evidence: EvidenceLine[]) => ({ class: c, why, fix: faultClass(c).fix, evidence });
  const counts = new Map<FaultClassId, number>();
  for (const r of requests) counts.set(r.class, (counts.get(r.class) ?? 0) + 1);
  const top = [...counts].sort((a, b) => b[1] - a[1])[0];
  if (top) return verdict(top[0], `${top[1]} of ${requests.length} failing requests`, requests.filter((r) => r.class === top[0]).slice(0, 3).flatMap((r) => r.evidence.slice(0, 1)));
  const httperr = (hosts: HostArtifacts[]) => hosts.flatMap((h) => rows(h.httperr, h.name));
  const slow = httperr(controller ? [controller] : []).filter((l) => SLOW_CLIENT_TIMERS.has(l.row.values['s-reason'] ?? ''));
  if (slow.length > 0) return verdict('slow-client', `${slow.length} connections ARR's http.sys closed on a timer`, slow.slice(0, 3).map((l) => ev(l, httperrText(l.row))));
  const refused = httperr(members).filter((l) => /^\d+_Connections_Refused$/.test(l.row.values['s-reason'] ?? ''));
  if (refused.length > 0) return verdict('nonpaged-pool', 'a member\'s http.sys refused connections', refused.slice(0, 3).map((l) => ev(l, httperrText(l.row))));
  const health = (controller?.events ?? []).flatMap((e) => e.entries.filter((x) => HEALTH_EVENTS.has(x.id)).map((x) => ({ file: e.file, line: x.line, shows: `${controller!.name} event ${x.id}: ${x.message}` })));
  if (health.length > 0) return verdict('health-flap', 'the health monitor marked servers unhealthy; requests still succeeded', health.slice(0, 3));
  const refusedConnects = traces.filter((t) => t.winhttpCode === 12029);
  if (refusedConnects.length > 0) return verdict('connect-refused', 'ARR\'s WinHTTP trace shows refused connections that a retry hid', refusedConnects.slice(0, 3).map((t) => ({ file: t.file, line: t.line, shows: 'WinHTTP 12029 ERROR_WINHTTP_CANNOT_CONNECT' })));
  return verdict('healthy', 'no failing request and no fault evidence', []);
}
