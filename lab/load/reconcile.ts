/**
 * The accounting of a load run: every request the client sent is in the client's results and,
 * exactly once per host it reached, in that host's W3SVC or HTTPERR log. Autocannon sends no
 * `x-arr-lab-request` marker, so requests are reconciled by counts, from three independent
 * sources per host: the requests its pipeline accepted (sequence numbers), the lines its log
 * writer emitted, and the lines read back from its files.
 */

export interface ClientCounts {
  sent: number;
  answered: number;
  errors: number;
  /** The run was cut (by its duration or the wall-clock cap): requests in flight then have no outcome. */
  cut: boolean;
  connections: number;
}

export interface HostCounts {
  name: string;
  accepted: number;
  logged: number;
  w3svcLines: number;
  /** Per-request HTTPERR lines (connection-level lines are not requests). */
  httperrLines: number;
  /** Lines for the health-check path (the controller's URL test, not the client's traffic). */
  probes: number;
  /** HTTPERR lines about a connection, not a request: as the host counted them, and as read back. */
  connectionEvents: number;
  connectionLines: number;
}

export interface ReconcileInput {
  client: ClientCounts;
  controller: HostCounts;
  members: HostCounts[];
  /** Trips the controller started to members: the sum of its servers' `totalRequests`. */
  forwarded: number;
  /** Of those, trips that failed before reaching a member (refused 12029, name not resolved 12007). */
  unreached: number;
}

export interface ReconcileRow {
  subject: string;
  check: string;
  expected: number | string;
  actual: number | string;
  pass: boolean;
  /** What is wrong, when it is: `3 missing`, `2 doubled`. */
  problem?: string;
}

export function reconcile(input: ReconcileInput): ReconcileRow[] {
  const { client, controller } = input;
  const rows: ReconcileRow[] = [];
  const outcomeless = client.sent - client.answered - client.errors;
  // A run cut by its duration leaves at most one request per connection without an outcome.
  const allowed = client.cut ? client.connections : 0;
  rows.push({
    subject: 'client', check: 'sent = answered + errors (+ in flight at the end)', expected: client.cut ? `${client.sent} (≤ ${allowed} in flight)` : client.sent,
    actual: `${client.answered} + ${client.errors}${outcomeless !== 0 ? ` (+ ${outcomeless})` : ''}`,
    pass: outcomeless >= 0 && outcomeless <= allowed,
    ...(outcomeless < 0 ? { problem: `${-outcomeless} outcomes for requests never sent` } : outcomeless > allowed ? { problem: `${outcomeless - allowed} requests without outcome` } : {}),
  });
  rows.push(difference('client → ' + controller.name, 'every request sent reached the controller', client.sent, controller.accepted, 'never reached', 'more than sent'));
  for (const host of [controller, ...input.members]) {
    rows.push(difference(host.name, 'accepted = logged', host.accepted, host.logged, 'not logged', 'logged twice'));
    rows.push(difference(host.name, 'accepted = W3SVC + HTTPERR lines', host.accepted, host.w3svcLines + host.httperrLines, 'missing from the files', 'doubled in the files'));
    rows.push(difference(host.name, 'connection events = connection HTTPERR lines', host.connectionEvents, host.connectionLines, 'missing from the files', 'doubled in the files'));
  }
  const reached = input.members.reduce((n, m) => n + m.accepted - m.probes, 0);
  rows.push(difference('farm', 'forwarded − unreached = members accepted − probes', input.forwarded - input.unreached, reached, 'forwarded but not received', 'received but never forwarded'));
  return rows;
}

function difference(subject: string, check: string, expected: number, actual: number, short: string, over: string): ReconcileRow {
  const d = actual - expected;
  return { subject, check, expected, actual, pass: d === 0, ...(d < 0 ? { problem: `${-d} ${short}` } : d > 0 ? { problem: `${d} ${over}` } : {}) };
}

export function balanced(rows: readonly ReconcileRow[]): boolean {
  return rows.every((r) => r.pass);
}
