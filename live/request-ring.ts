import type { LoggedRequest } from '../iis/log-records.ts';
import type { ClientResult } from '../lab/client.ts';
import type { phaseTimeouts } from '../proxy/farm-config.ts';
import { hex8 } from '../iis/detailed-error-page.ts';
import { hresultFromWin32 } from '../iis/win32-status.ts';

/** One request through the lab as the dashboard lists it: ARR's log line, the member's, the client's view. */
export interface LiveRequest {
  /** The order ARR logged it in (1-based): the API's id and the `since` cursor. */
  id: number;
  /** The controller's sequence number (order accepted). */
  seq: number;
  /** Nominal epoch ms ARR logged it, and when it started (logged minus time-taken). */
  at: number;
  start: number;
  method: string;
  uri: string;
  status: number;
  substatus: number;
  win32: number;
  timeTaken: number;
  arrLogId: string | undefined;
  labRequest: string | undefined;
  controller: LoggedRequest;
  /** What the members logged for it (by X-ARR-LOG-ID; several when a connect retry moved it). */
  members: { name: string; record: LoggedRequest }[];
  /** WinHTTP's phase timeouts and the SYN give-up (nominal ms) when ARR logged it: the farm's time-out can change live. */
  timeouts: ReturnType<typeof phaseTimeouts>;
  /** Set for requests the lab's own client sent (dashboard, exercises), not for background load. */
  client: ClientResult | undefined;
}

export type RequestSummary = Omit<LiveRequest, 'controller' | 'members' | 'client' | 'timeouts'> & {
  members: string[];
  /** The page's Error Code: what the client got, or what ARR's page shows for the logged sc-win32-status. */
  errorCode: string | undefined;
  /** ARR's failure-classification row, for ARR's own errors. */
  failure: string | undefined;
  /** The client's own network error, when it got no response. */
  networkError: string | undefined;
};

/**
 * The last `capacity` requests, joined across hosts as their lines arrive in any order: a member
 * logs a healthy request before ARR does, a timed-out one after. Lines and client results that
 * arrive before ARR's line wait in bounded side tables, so memory stays bounded under load.
 */
export class RequestRing {
  private readonly entries: LiveRequest[] = [];
  private readonly byLogId = new Map<string, LiveRequest>();
  private readonly byLabId = new Map<string, LiveRequest>();
  private readonly earlyMembers = new Map<string, { name: string; record: LoggedRequest }[]>();
  private readonly earlyClients = new Map<string, ClientResult>();
  private readonly listeners = new Set<(r: LiveRequest) => void>();
  /** Requests ARR logged since the lab started, kept or evicted. */
  total = 0;

  constructor(readonly capacity: number) {}

  controllerLogged(record: LoggedRequest, timeouts: LiveRequest['timeouts']): void {
    const head = requestLine(record);
    const timeTaken = record.kind === 'w3c' ? record.entry['time-taken'] : 0;
    const entry: LiveRequest = {
      id: ++this.total,
      seq: record.meta.seq,
      at: record.meta.at,
      start: record.meta.at - timeTaken,
      ...head,
      timeTaken,
      arrLogId: record.meta.arrLogId,
      labRequest: record.meta.labRequest,
      controller: record,
      timeouts,
      members: [],
      client: undefined,
    };
    this.entries.push(entry);
    if (entry.arrLogId) {
      this.byLogId.set(entry.arrLogId, entry);
      entry.members.push(...(take(this.earlyMembers, entry.arrLogId) ?? []));
    }
    if (entry.labRequest) {
      this.byLabId.set(entry.labRequest, entry);
      entry.client = take(this.earlyClients, entry.labRequest);
    }
    while (this.entries.length > this.capacity) this.evict(this.entries.shift()!);
    for (const l of this.listeners) l(entry);
  }

  memberLogged(name: string, record: LoggedRequest): void {
    const logId = record.meta.arrLogId;
    if (!logId) return;
    const entry = this.byLogId.get(logId);
    if (entry) entry.members.push({ name, record });
    else bounded(this.earlyMembers, this.capacity).set(logId, [...(this.earlyMembers.get(logId) ?? []), { name, record }]);
  }

  clientDone(result: ClientResult): void {
    const entry = this.byLabId.get(result.id);
    if (entry) entry.client = result;
    else bounded(this.earlyClients, this.capacity).set(result.id, result);
  }

  onRequest(listener: (r: LiveRequest) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(id: number): LiveRequest | undefined {
    const first = this.entries[0];
    if (!first) return undefined;
    // Ids are consecutive within the ring, so the position is arithmetic.
    return this.entries[id - first.id];
  }

  byLabRequest(labId: string): LiveRequest | undefined {
    return this.byLabId.get(labId);
  }

  /** Requests logged after `since` (an id), oldest first, at most `limit` of the newest. */
  since(since: number, limit: number): LiveRequest[] {
    const first = this.entries[0]?.id ?? 1;
    const from = Math.max(since + 1 - first, this.entries.length - limit, 0);
    return this.entries.slice(from);
  }

  get size(): number {
    return this.entries.length;
  }

  private evict(entry: LiveRequest): void {
    if (entry.arrLogId) this.byLogId.delete(entry.arrLogId);
    if (entry.labRequest) this.byLabId.delete(entry.labRequest);
  }
}

export function summarize(r: LiveRequest): RequestSummary {
  const { controller: _c, timeouts: _t, members, client, ...rest } = r;
  // ARR's own error pages show HRESULT_FROM_WIN32 of sc-win32-status (0 for 502.4), so a row
  // can show the page's Error Code even for requests whose page nobody kept (background load).
  const failure = r.controller.meta.failure;
  const errorCode = client?.errorCode ?? (failure ? hex8(hresultFromWin32(r.win32)) : undefined);
  return { ...rest, members: members.map((m) => m.name), failure, errorCode, networkError: client?.networkError };
}

function requestLine(record: LoggedRequest): { method: string; uri: string; status: number; substatus: number; win32: number } {
  if (record.kind === 'w3c') {
    const e = record.entry;
    return {
      method: e['cs-method'], uri: e['cs-uri-stem'] + (e['cs-uri-query'] ? `?${e['cs-uri-query']}` : ''),
      status: e['sc-status'], substatus: e['sc-substatus'], win32: e['sc-win32-status'],
    };
  }
  const e = record.entry;
  return { method: e['cs-method'] ?? '-', uri: e['cs-uri'] ?? '-', status: e['sc-status'] ?? 0, substatus: 0, win32: 0 };
}

function take<K, V>(map: Map<K, V>, key: K): V | undefined {
  const v = map.get(key);
  map.delete(key);
  return v;
}

/** Drops the oldest waiting items (Maps iterate in insertion order) so a side table never outgrows the ring. */
function bounded<K, V>(map: Map<K, V>, capacity: number): Map<K, V> {
  while (map.size >= capacity) map.delete(map.keys().next().value as K);
  return map;
}
