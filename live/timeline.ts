import type { LiveRequest } from './request-ring.ts';

/** A span on the nominal time axis (epoch ms). */
export interface Span {
  label: string;
  start: number;
  end: number;
  /** `work`: something was being done; `wait`: a party waited on another; `failed`: the phase a timer or error ended. */
  kind: 'work' | 'wait' | 'failed';
}

export interface Lane {
  party: string;
  start: number;
  end: number;
  spans: Span[];
}

export interface Timeline {
  from: number;
  to: number;
  lanes: Lane[];
  /** The timer that ended the request, when one did. */
  timer: { name: string; ms: number; firedAt: number } | undefined;
}

/** Which timer ends each timeout row: WinHTTP's for a phase, or the OS giving up on an unanswered SYN. */
const TIMERS: Record<string, { name: string; phase: 'resolve' | 'connect' | 'send' | 'receive' | 'synGiveUp' }> = {
  'receive-timeout': { name: 'receive timeout (WinHttpReceiveResponse)', phase: 'receive' },
  'connect-timeout': { name: 'connect timeout', phase: 'connect' },
  'syn-unanswered': { name: 'TCP gives up on the SYN (Windows retransmissions)', phase: 'synGiveUp' },
  'resolve-timeout': { name: 'resolve timeout', phase: 'resolve' },
  'send-timeout': { name: 'send timeout', phase: 'send' },
};

/**
 * The request across client → ARR → member on the nominal axis, from the three parties' own
 * records: each log line's instant and time-taken give its span, and the gaps between them are
 * the phases ARR spent connecting and sending (before the member's span) and receiving (after it).
 */
export function timelineOf(r: LiveRequest): Timeline {
  const lanes: Lane[] = [];
  if (r.client) {
    lanes.push({ party: `client (${r.client.client})`, start: r.client.sentAt, end: r.client.doneAt, spans: [{ label: 'request → response', start: r.client.sentAt, end: r.client.doneAt, kind: 'wait' }] });
  }
  const arrStart = r.start;
  const arrEnd = r.at;
  const failure = r.controller.meta.failure;
  const timerSpec = failure ? TIMERS[failure] : undefined;
  const arrSpans: Span[] = [];
  const member = r.members.at(-1);
  if (member) {
    const taken = member.record.kind === 'w3c' ? member.record.entry['time-taken'] : 0;
    const mEnd = member.record.meta.at;
    const mStart = mEnd - taken;
    arrSpans.push({ label: 'route, resolve, connect, send', start: arrStart, end: Math.max(arrStart, mStart), kind: 'work' });
    arrSpans.push({ label: failure ? `wait for headers → ${failure}` : 'wait for the member', start: Math.max(arrStart, mStart), end: Math.min(arrEnd, Math.max(mEnd, mStart)), kind: failure ? 'failed' : 'wait' });
    if (mEnd < arrEnd) arrSpans.push({ label: 'receive and relay', start: mEnd, end: arrEnd, kind: 'work' });
    lanes.push({ party: 'ARR', start: arrStart, end: arrEnd, spans: arrSpans });
    for (const m of r.members) {
      const t = m.record.kind === 'w3c' ? m.record.entry['time-taken'] : 0;
      const label = m.record.kind === 'w3c' ? `page ${m.record.entry['sc-status']} (sc-win32-status ${m.record.entry['sc-win32-status']})` : `HTTPERR ${m.record.entry['s-reason']}`;
      lanes.push({ party: m.name, start: m.record.meta.at - t, end: m.record.meta.at, spans: [{ label, start: m.record.meta.at - t, end: m.record.meta.at, kind: 'work' }] });
    }
  } else {
    const phase = timerSpec ? (timerSpec.phase === 'synGiveUp' ? 'connect' : timerSpec.phase) : failure === 'no-server' ? 'route' : failure ? 'connect' : 'handle';
    arrSpans.push({ label: failure ? `${phase} → ${failure}` : 'handled on ARR', start: arrStart, end: arrEnd, kind: failure ? 'failed' : 'work' });
    lanes.push({ party: 'ARR', start: arrStart, end: arrEnd, spans: arrSpans });
  }
  const timer = timerSpec ? { name: timerSpec.name, ms: r.timeouts[timerSpec.phase], firedAt: arrEnd } : undefined;
  const from = Math.min(...lanes.map((l) => l.start));
  const to = Math.max(...lanes.map((l) => l.end));
  return { from, to, lanes, timer };
}
