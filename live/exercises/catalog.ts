import type { ClientResult } from '../../lab/client.ts';
import type { LiveLab } from '../live-lab.ts';

/** A step as a scenario writes it: a request (`path`) or one action. */
export type Step = Record<string, unknown>;

export interface Choice {
  id: string;
  text: string;
}

/** A fix the learner can pick; `value` is the number the learner types, when the fix takes one. */
export interface Fix extends Choice {
  value?: { label: string; default: number };
  steps(value: number | undefined): Step[];
}

export interface Exercise {
  name: string;
  title: string;
  /** What the learner is told: the symptom, never the cause. */
  symptom: string;
  /** Steps that put the teaching farm into the fault (and, for some, drive it there). */
  setup: Step[];
  /** The traffic that shows the symptom; replayed after the fix. */
  traffic: Step[];
  cause: string;
  fix: string;
  /** What the replay must show after the right fix. */
  success: { text: string; holds(results: ClientResult[], live: LiveLab): boolean };
  hints: string[];
  /** For the trainer: the reasoning, with the artifacts that prove it. */
  answer: string;
}

const ALL = ['member1', 'member2', 'member3'];
const each = (value: unknown) => Object.fromEntries(ALL.map((m) => [m, value]));
const onlyMember1: Step = { availability: { member2: 'Unavailable', member3: 'Unavailable' } };

/** The causes a learner chooses from (the same list for every exercise). */
export const CAUSES: Choice[] = [
  { id: 'slow-page', text: 'The page runs longer than the farm\'s time-out' },
  { id: 'response-close', text: 'The page closes the connection without sending a response (Response.Close)' },
  { id: 'partial-flush', text: 'The page flushes part of the response, then closes the connection' },
  { id: 'no-server', text: 'No server can take the request (all unavailable or unhealthy)' },
  { id: 'host-down', text: 'The member\'s host does not answer connection attempts at all' },
  { id: 'queue-full', text: 'The member\'s application pool queue is full' },
  { id: 'unhealthy-live', text: 'Live-traffic failures marked the member unhealthy' },
  { id: 'pool-exhausted', text: 'http.sys on the member refuses connections: its nonpaged pool is nearly exhausted' },
];

/** The fixes a learner chooses from; each is applied as scenario actions. */
export const FIXES: Fix[] = [
  { id: 'raise-timeout', text: 'Raise the farm\'s time-out to N seconds', value: { label: 'seconds', default: 60 }, steps: (v) => [{ timeout: `${v ?? 60}s` }] },
  { id: 'fix-page', text: 'Fix the page so it completes its response normally', steps: () => [{ script: each([]) }] },
  { id: 'make-available', text: 'Make the servers available (Monitoring and Management)', steps: () => [{ availability: each('Available') }] },
  { id: 'bring-online', text: 'Bring the member hosts back on the network', steps: () => [{ offline: each(false) }] },
  { id: 'raise-queue', text: 'Raise member1\'s application pool queue length to N', value: { label: 'queueLength', default: 1000 }, steps: (v) => [{ httpSys: { member1: { queueLength: v ?? 1000 } } }] },
  { id: 'set-healthy', text: 'Set the servers healthy again (Set Healthy)', steps: () => [{ health: each('healthy') }] },
  { id: 'fix-page-set-healthy', text: 'Fix the page, then set the server healthy', steps: () => [{ script: each([]) }, { health: each('healthy') }] },
  { id: 'unload-driver', text: 'Unload the leaking driver on member1 (reboot or driver update)', steps: () => [{ leak: { member1: 0 } }] },
  { id: 'recycle-pool', text: 'Recycle member1\'s application pool', steps: () => [{ crash: ['member1'] }] },
];

const allOk = { text: 'every replayed request gets 200', holds: (results: ClientResult[]) => results.length > 0 && results.every((r) => r.status === 200) };

export const EXERCISES: Exercise[] = [
  {
    name: 'slow-page',
    title: 'The report page fails after half a minute',
    symptom: 'Users of /report/ get an error page after about 30 seconds. Everything else works.',
    setup: [{ script: each([{ route: '/report/', do: [{ sleep: '45s' }, { respond: { status: 200 } }] }]) }],
    traffic: [{ path: '/report/' }],
    cause: 'slow-page',
    fix: 'raise-timeout',
    success: allOk,
    hints: ['Compare the time-taken of ARR\'s W3C line with the member\'s line for the same request.', 'The member logged 200 with sc-win32-status 64 after 45 s: it finished, but ARR had stopped waiting.', 'Error 0x80072ee2 is ERROR_WINHTTP_TIMEOUT. Which farm setting bounds how long ARR waits?'],
    answer: '502.3 / 0x80072ee2 (12002) with ARR time-taken ≈ 30000 while the member logs 200 after ≈ 45000 with win32 64: the page outlives protocol/@timeout. Raise the time-out above 45 s (or fix the page).',
  },
  {
    name: 'response-close',
    title: 'Checkout fails at once',
    symptom: 'Every request to /checkout/ returns an error page immediately.',
    setup: [{ script: each([{ route: '/checkout/', do: ['close-without-response'] }]) }],
    traffic: [{ path: '/checkout/' }],
    cause: 'response-close',
    fix: 'fix-page',
    success: allOk,
    hints: ['The failure is immediate: no timer fired.', '0x80072efe is ERROR_WINHTTP_CONNECTION_ERROR: the connection ended before any response byte.', 'What does the member\'s own log say about the request?'],
    answer: '502.3 / 0x80072efe (12030), immediate: the member closed the connection without answering (Response.Close()). Fix the page.',
  },
  {
    name: 'partial-flush',
    title: 'Downloads break half-way',
    symptom: 'Requests to /download/ fail with an error page; the member\'s developers say the page "starts fine".',
    setup: [{ script: each([{ route: '/download/', do: [{ 'flush-then-close': { bytes: 512, contentLength: 4096 } }] }]) }],
    traffic: [{ path: '/download/' }],
    cause: 'partial-flush',
    fix: 'fix-page',
    success: allOk,
    hints: ['0x80072f78 is ERROR_WINHTTP_INVALID_SERVER_RESPONSE.', 'The member\'s HTTPERR log has a Connection_Dropped line for the request.', 'Headers and some body arrived, then the connection was reset.'],
    answer: '502.3 / 0x80072f78 (12152) and a Connection_Dropped line in the member\'s HTTPERR: the page flushed part of the body then closed. End the response normally (CompleteRequest).',
  },
  {
    name: 'all-members-down',
    title: 'The whole site is down',
    symptom: 'Every request returns an error page at once, whatever the URL.',
    setup: [{ availability: each('Unavailable') }],
    traffic: [{ path: '/' }, { path: '/about/' }],
    cause: 'no-server',
    fix: 'make-available',
    success: allOk,
    hints: ['The error code is 0x00000000: WinHTTP was never called.', 'Look at the Monitoring and Management view: what is each server\'s availability?', '502.4 means ARR found no server to route to.'],
    answer: '502.4 with error code 0 and no member logging anything: every server is unavailable. Make them available.',
  },
  {
    name: 'connect-timeout',
    title: 'Slow failures, and the members see nothing',
    symptom: 'Every request fails after about 20 seconds. The members\' logs have no trace of the requests.',
    setup: [{ offline: each('silent') }],
    traffic: [{ path: '/' }],
    cause: 'host-down',
    fix: 'bring-online',
    success: allOk,
    hints: ['Same error code as a slow page, but no member logged the request, and it came before the 30 s time-out.', 'The WinHTTP trace shows WSAETIMEDOUT (10060) under 12002, not ERROR_TIMEOUT (1460).', 'Windows gives up on an unanswered SYN after about 21 s; raising the time-out changes nothing.'],
    answer: '502.3 / 0x80072ee2 after about 21 s (before the 30 s time-out) with no member log and WSAETIMEDOUT in the WinHTTP trace: the SYNs go unanswered and Windows gives up. Bring the hosts back (raising the time-out does not help).',
  },
  {
    name: 'queue-full',
    title: '503 under a burst',
    symptom: 'When many people open /report/ at once, some get "HTTP Error 503. The service is unavailable."',
    setup: [onlyMember1, { httpSys: { member1: { concurrency: 1, queueLength: 10 } } }, { script: { member1: [{ route: '/report/', do: [{ sleep: '2s' }, { respond: { status: 200 } }] }] } }],
    traffic: [{ path: '/report/', repeat: 11, concurrency: 11, background: true }, { path: '/report/', repeat: 2 }],
    cause: 'queue-full',
    fix: 'raise-queue',
    success: allOk,
    hints: ['The 503 page is http.sys\'s canned one, not ARR\'s.', 'Look at member1\'s HTTPERR log: what is the s-reason?', 'One request runs at a time; how many can wait?'],
    answer: 'The member\'s HTTPERR logs 503 QueueFull on DefaultAppPool and ARR passes the 503 on: the pool\'s queue (10) overflows while one slow request runs. Raise queueLength (and find what holds the worker).',
  },
  {
    name: 'live-traffic-health',
    title: 'One server gets no traffic',
    symptom: 'After a few errors from member1 this morning, member1 gets no requests at all, although its page was fixed since.',
    setup: [{ script: { member1: [{ route: '/', do: [{ respond: { status: 500, body: 'boom' } }] }] } }, { path: '/', repeat: 9 }],
    traffic: [{ path: '/', repeat: 6 }],
    cause: 'unhealthy-live',
    fix: 'fix-page-set-healthy',
    success: {
      text: 'every replayed request gets 200 and member1 serves some of them',
      holds: (results, live) => allOk.holds(results) && results.some((r) => live.ring.byLabRequest(r.id)?.members.some((m) => m.name === 'member1')),
    },
    hints: ['Look for event 1000 in the farm events.', 'Which server is marked unhealthy, and why?', 'Without a URL health test, nothing marks a server healthy again on its own.'],
    answer: 'Event 1000: member1 was marked unhealthy after maxLiveTrafficFailures 500s (liveTrafficFailureCodes 500-). With no URL test nothing brings it back: fix the page and Set Healthy.',
  },
  {
    name: 'connections-refused',
    title: 'Instant failures with nothing in the site log',
    symptom: 'Since this morning member1 (the only server in rotation) fails every request at once; its W3SVC log is silent.',
    setup: [onlyMember1, { leak: { member1: 240 } }, { wait: '3m' }],
    traffic: [{ path: '/' }, { path: '/' }],
    cause: 'pool-exhausted',
    fix: 'unload-driver',
    success: allOk,
    hints: ['0x80072efe: the connection was reset before any response.', 'member1\'s HTTPERR has N_Connections_Refused lines.', 'http.sys stops accepting connections when the nonpaged pool has less than 20 MB free.'],
    answer: 'Connections reset with nothing in W3SVC but N_Connections_Refused in member1\'s HTTPERR: the nonpaged pool is below 20 MB (a leaking driver). Unload the driver; recycling the pool does not free kernel memory.',
  },
];
