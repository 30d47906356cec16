import { z } from 'zod';

/**
 * The one fault taxonomy of the lab: every catalog scenario's `diagnosis.class`, every label in the
 * fixture index, every answer `arr-lab diagnose` gives and `arr-lab score` accepts is one of these.
 * `signature` is what the artifacts show (reference section in brackets), `fix` what a support
 * engineer would do first. docs/tools.md renders this table.
 */
export interface FaultClass {
  id: string;
  title: string;
  signature: string;
  fix: string;
}

export const FAULT_CLASSES = [
  {
    id: 'healthy',
    title: 'No fault',
    signature: 'ARR and members log 2xx-4xx with sc-win32-status 0 (or 64 on a member after a client went away on its own)',
    fix: 'nothing to fix',
  },
  {
    id: 'member-timeout',
    title: 'Member slower than the farm timeout',
    signature: 'ARR 502 3 12002, time-taken near protocol/@timeout; the member logs the same URL later with 200 0 64 (or Connection_Dropped / Client_Reset in HTTPERR); WinHTTP trace: recv-headers 1460 -> 12002 [§3.2 row 1, §9 row 1]',
    fix: 'find why the page is slow (FREB on the member, time-taken by URL); raise protocol/@timeout only if the page is meant to take that long',
  },
  {
    id: 'response-close',
    title: 'Member closed or reset the connection before any response byte',
    signature: 'ARR 502 3 12030 (0x80072efe) soon after the request; the member has no W3SVC line but HTTPERR Connection_Dropped(_List_Full) for the URL [§3.2, §6.7, §9 row 2]',
    fix: 'look for Response.Close()/Abort() or a crash in the member application; FREB on the member shows the request processed',
  },
  {
    id: 'partial-response',
    title: 'Member sent an incomplete or invalid response',
    signature: 'ARR 502 3 12152 (0x80072f78), or 200 0 12152 when ARR had already streamed the status to the client; the member logs Connection_Dropped [§3.1, §3.2 row 4, §9 row 3]',
    fix: 'find why the page stops after flushing (Response.Flush() then Close(), an exception after the first bytes); responseBufferLimit decides whether the client sees a 502 or a cut connection',
  },
  {
    id: 'no-server-available',
    title: 'No member could take the request',
    signature: 'ARR 502 4 0, Error Code 0x00000000 from MapRequestHandler; no member line; event 1000 when health tests marked the members unhealthy [§2.1, §9 row 6]',
    fix: 'bring members back: check their availability in the farm (Unavailable, Drain), their health test URL and minServers',
  },
  {
    id: 'connect-refused',
    title: 'Member port refuses connections',
    signature: 'ARR 502 3 12029 (0x80072efd) within milliseconds; nothing on the member; trace WSAECONNREFUSED 10061 [§3.2, §9 row 5]',
    fix: 'start the member site / bindings, check the farm server port; retryOnConnectFailure only hides it',
  },
  {
    id: 'connect-timeout',
    title: 'Member address does not answer the SYN',
    signature: 'ARR 502 3 12002 with no member line at all; trace WSAETIMEDOUT 10060 -> 12002 [§8.2, §9 row 4]',
    fix: 'the member host is down or a firewall drops SYNs: check the host, the route and the firewall',
  },
  {
    id: 'name-resolution',
    title: 'Member name does not resolve (or resolves too slowly)',
    signature: 'ARR 502 3 12007 (0x80072ee7) at once, or 502 3 12002 after the resolve timeout; no member line [§3.1, §3.2]',
    fix: 'fix DNS (or hosts file) for the farm server address, or name the server by IP',
  },
  {
    id: 'send-timeout',
    title: 'Member stopped reading the request body',
    signature: 'ARR 502 3 12002 for a large POST, time-taken near the send timeout; the member logs the POST with 200 0 0 later [§3.2 row 3]',
    fix: 'find why the page does not read its upload (blocked before reading Request.InputStream); stream uploads',
  },
  {
    id: 'queue-full',
    title: 'Member application-pool queue full',
    signature: 'member HTTPERR 503 QueueFull (no W3SVC line) and ARR 503 0 0; with loadBalancerCapabilities TcpLevel a reset instead: ARR 502 3 12030 [§2.2, §9 row 7]',
    fix: 'find what holds the worker threads (slow dependency, lock); raise queueLength only as a buffer',
  },
  {
    id: 'app-pool-unavailable',
    title: 'Member application pool stopped, offline or too busy',
    signature: 'member HTTPERR 503 Disabled, AppOffline (rapid-fail protection), AppShutdown or AppPoolTimer, no W3SVC line; ARR passes 503 0 0 on [§2.2, §6.4]',
    fix: 'start the pool; for AppOffline find the crashes rapid-fail protection stopped (dumps, WAS events) first',
  },
  {
    id: 'queue-timeout',
    title: 'Request waited too long in the member queue',
    signature: 'member HTTPERR Timer_ReqQueue (reset) and ARR 502 3 12030 near the site connectionTimeout [§6.4]',
    fix: 'the member is saturated: find the slow requests ahead in the queue, add capacity',
  },
  {
    id: 'connection-limit',
    title: 'Member site connection limit reached',
    signature: 'member HTTPERR 503 ConnLimit and ARR 503 0 0 [§6.4, §6.5]',
    fix: 'raise the site limits/@maxConnections or spread the load over more members',
  },
  {
    id: 'concurrent-request-limit',
    title: 'Member appConcurrentRequestLimit reached',
    signature: 'member W3SVC 503 2 0 and ARR 503 0 0 [§2.2]',
    fix: 'raise serverRuntime/@appConcurrentRequestLimit or find the requests that pile up',
  },
  {
    id: 'nonpaged-pool',
    title: 'Member kernel nonpaged pool exhausted',
    signature: 'member HTTPERR N_Connections_Refused lines (every other field -) and ARR 502 3 12030 for connections the member dropped [§6.4]',
    fix: 'find the driver leaking nonpaged pool (poolmon), update or remove it; reboot as a stopgap',
  },
  {
    id: 'slow-client',
    title: 'Clients too slow for http.sys timers',
    signature: 'controller HTTPERR Timer_HeaderWait, Timer_EntityBody or Timer_MinBytesPerSecond; other requests served normally [§6.4, §6.5]',
    fix: 'a slowloris-style client or a slow network: rate-limit or block the source; tune headerWaitTimeout / connectionTimeout / minBytesPerSecond',
  },
  {
    id: 'worker-crash',
    title: 'Member worker process crashed',
    signature: 'member HTTPERR Connection_Abandoned_By_ReqQueue for every request it ran or queued, ARR 502 3 12030 [§6.4]',
    fix: 'collect a crash dump of w3wp (DebugDiag), read the Application event log (WAS 5011), fix the crash',
  },
  {
    id: 'health-flap',
    title: 'Health test marks members unhealthy',
    signature: 'event 1000/1002 from the health monitor, traffic moves to the other members; requests keep succeeding [§1.9]',
    fix: 'look at the health test URL on the member (its status and time-taken) and the healthCheck interval/timeout',
  },
  {
    id: 'member-error',
    title: 'Member application answers 5xx',
    signature: 'ARR passes the member\'s 500 on with sc-win32-status 0; the member logs the same 500 in W3SVC [§9 row 9]',
    fix: 'an application error on the member: read its FREB and application logs',
  },
  {
    id: 'server-made-unavailable',
    title: 'Server made Unavailable Immediately with requests in flight',
    signature: 'ARR 502 3 12017 (0x80072ef1, operation canceled); the member still finishes the page and logs 64 [§1.9]',
    fix: 'an administrator action: use Unavailable Gracefully or Drain to take a server out',
  },
] as const satisfies readonly FaultClass[];

export type FaultClassId = (typeof FAULT_CLASSES)[number]['id'];

export const FAULT_CLASS_IDS = FAULT_CLASSES.map((c) => c.id) as [FaultClassId, ...FaultClassId[]];

export const faultClassSchema = z.enum(FAULT_CLASS_IDS, { error: `a fault class of the taxonomy: ${FAULT_CLASS_IDS.join(', ')}` });

export function faultClass(id: FaultClassId): FaultClass {
  return FAULT_CLASSES.find((c) => c.id === id)!;
}

/** A scenario's diagnosis: the fault it injects, its root cause in this scenario, and the fix. */
export const diagnosisSchema = z
  .object({
    class: faultClassSchema,
    cause: z.string().min(1),
    fix: z.string().min(1),
  })
  .strict();
export type Diagnosis = z.output<typeof diagnosisSchema>;
