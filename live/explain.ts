import { hex8 } from '../iis/detailed-error-page.ts';
import { decode, type Decoded } from '../lab/decode/decode.ts';
import type { ExpectFact } from '../lab/decode/catalog-facts.ts';
import { EVIDENCE_LABEL, type Evidence } from '../lab/decode/evidence.ts';
import { CLASSIFICATION, UNCLASSIFIED, errorCodeOf, win32StatusOf, type ClassificationRow } from '../proxy/failure-classification.ts';
import type { LiveRequest } from './request-ring.ts';

/**
 * Why a request ended as it did: the failure-classification row ARR chose (the lab's ground
 * truth, kept in the log record's meta), what `decode` says about the code the client saw, the
 * row's evidence level, and the fix a support engineer would apply.
 */
export interface Explanation {
  summary: string;
  /** The failure-classification row the artifacts point to (absent for a member's own answer). */
  row: { id: string; note: string; phases: readonly string[]; winhttp: string | undefined; errorCode: string; w3svc: string } | undefined;
  /** What `arr-lab decode` says about the code the client saw. */
  decode: { input: string; lines: string[] } | undefined;
  evidence: { level: Evidence; label: string };
  fix: string;
}

/** The fix a support engineer applies for each row; the member-side causes are named separately. */
const FIXES: Record<string, string> = {
  'no-server': 'Make a server available and healthy again (Monitoring and Management: Make Server Available / Set Healthy), or fix what the health test checks.',
  'receive-timeout': 'Raise the farm\'s Time-out (Proxy → Time-out, protocol/@timeout) above the page\'s real duration, or make the page faster; the member\'s own log shows how long the page really took.',
  'resolve-timeout': 'Fix name resolution for the server address (DNS or a hosts entry on the ARR machine).',
  'connect-timeout': 'The member host does not answer SYNs: bring it back or fix the network path / firewall; until then mark it unavailable so ARR stops sending to it.',
  'syn-unanswered': 'The member host does not answer SYNs and Windows gave up (about 21 s) before the farm\'s time-out: bring the host back or fix the network path / firewall; a longer time-out does not help. Until then mark it unavailable.',
  'send-timeout': 'The member stopped reading the request body: fix the page (or its request filtering), or raise the time-out if the upload is legitimately slow.',
  'name-not-resolved': 'Correct the server address in the farm or register the name in DNS.',
  'connect-refused': 'Nothing listens on the member\'s port: start the site / application pool (or the service owning the port), or mark the server unavailable.',
  'closed-before-response': 'The member closed the connection without answering (Response.Close(), a crash, or http.sys refusing connections): find why in the member\'s own logs (HTTPERR, event log); remove Response.Close() from the page.',
  'cut-inside-headers': 'The member sent part of a response then reset: fix the page or module that aborts the connection.',
  'invalid-response': 'The member answered bytes that are not HTTP: fix the member application (wrong protocol, TLS on an HTTP port).',
  'cut-inside-body': 'The page flushed part of the body then closed the connection (Response.Flush(); Response.Close()): end responses with CompleteRequest() instead.',
  terminated: 'The server was made Unavailable Immediately while requests were in flight: for maintenance use Unavailable Gracefully or Disallow New Connections (drain).',
};

export function explain(r: LiveRequest, facts: readonly ExpectFact[]): Explanation {
  const member = r.members.at(-1);
  if (r.controller.kind === 'httperr') {
    const reason = r.controller.entry['s-reason'];
    return {
      summary: `http.sys on ARR refused the request itself (${reason}); it never reached ARR's handler.`,
      row: undefined,
      decode: decodeLines(reason, facts),
      evidence: level('V'),
      fix: 'Look at the controller\'s own http.sys limits (HTTPERR reason above): queue length, connection limits, timers.',
    };
  }
  const row = rowFor(r);
  if (row) {
    const page = errorCodeOf(row);
    return {
      summary: `${r.status}.${r.substatus} from ARR: ${row.note}.`,
      row: {
        id: row.id, note: row.note, phases: row.phases, winhttp: row.winhttp ? `${row.winhttp.name} (${row.winhttp.code})` : undefined,
        errorCode: hex8(page), w3svc: `${row.status} ${row.substatus} ${win32StatusOf(row)}`,
      },
      decode: decodeLines(hex8(page), facts),
      evidence: level(row.evidence),
      fix: FIXES[row.id] ?? 'No fix recorded for this row.',
    };
  }
  if (member?.record.kind === 'httperr') {
    const reason = member.record.entry['s-reason'];
    return {
      summary: `${member.name}'s http.sys answered ${r.status} itself (${reason}) and ARR passed it on.`,
      row: undefined,
      decode: decodeLines(reason, facts),
      evidence: level('V'),
      fix: reason === 'QueueFull'
        ? `${member.name}'s application pool queue is full: find what holds its worker threads (slow requests), then raise queueLength or the pool's concurrency.`
        : `See what http.sys on ${member.name} means by ${reason} (decode above).`,
    };
  }
  if (r.status >= 500) {
    return {
      summary: `${member?.name ?? 'The member'} answered ${r.status} itself; ARR passed it on (sc-win32-status ${r.win32}).`,
      row: undefined,
      decode: decodeLines(String(r.status), facts),
      evidence: level('V'),
      fix: `The error is the application's: read ${member?.name ?? 'the member'}'s own W3C log and FREB trace. Repeated answers in liveTrafficFailureCodes mark the server unhealthy.`,
    };
  }
  return {
    summary: `${r.status} — served by ${member?.name ?? 'a member'} in ${r.timeTaken} ms nominal.`,
    row: undefined,
    decode: undefined,
    evidence: level('V'),
    fix: 'Nothing to fix.',
  };
}

/** The row ARR itself chose for the request (the record's ground truth), UNCLASSIFIED included. */
function rowFor(r: LiveRequest): ClassificationRow | undefined {
  const id = r.controller.meta.failure;
  return id === undefined ? undefined : [...CLASSIFICATION, UNCLASSIFIED].find((row) => row.id === id);
}

function decodeLines(input: string, facts: readonly ExpectFact[]): Explanation['decode'] {
  let decoded: Decoded;
  try {
    decoded = decode(input, facts);
  } catch {
    return undefined;
  }
  const lines = decoded.readings.flatMap((reading) => [
    `${reading.title}: ${reading.name}`,
    ...(reading.text ? [`  text: ${reading.text.text} [${reading.text.evidence} ${reading.text.source}]`] : []),
    ...(reading.meaning ? [`  meaning: ${reading.meaning.text} [${reading.meaning.evidence} ${reading.meaning.source}]`] : []),
  ]);
  return { input, lines };
}

function level(e: Evidence): Explanation['evidence'] {
  return { level: e, label: EVIDENCE_LABEL[e] };
}
