import type { HttpErrReason } from './httperr-reason.ts';

/**
 * The structured records a host logs. Writers render them to W3C / HTTPERR text; assertions read
 * them directly; a test parses the rendered files back so the two cannot silently disagree.
 * Keys are the W3C field names so expectations can be written the way the log reads.
 */
export interface W3cEntry {
  's-ip': string;
  'cs-method': string;
  'cs-uri-stem': string;
  'cs-uri-query': string | undefined;
  's-port': number;
  'cs-username': string | undefined;
  'c-ip': string;
  'cs(User-Agent)': string | undefined;
  'cs(Referer)': string | undefined;
  'sc-status': number;
  'sc-substatus': number;
  'sc-win32-status': number;
  'time-taken': number;
}

export interface HttperrEntry {
  'c-ip': string | undefined;
  'c-port': number | undefined;
  's-ip': string | undefined;
  's-port': number | undefined;
  'cs-version': string | undefined;
  'cs-method': string | undefined;
  'cs-uri': string | undefined;
  streamid: string | undefined;
  'sc-status': number | undefined;
  's-siteid': number | undefined;
  's-reason': HttpErrReason;
  's-queuename': string | undefined;
}

/** What ties a log line to the lab's own view of a request; never rendered into IIS files. */
export interface RecordMeta {
  host: string;
  /** Host-local sequence number of the request (1-based). */
  seq: number;
  /** The `x-arr-lab-request` marker the scenario client sent, if the request carried it. */
  labRequest: string | undefined;
  /** X-ARR-LOG-ID: set by ARR on the controller, received by a member. */
  arrLogId: string | undefined;
  /** The handler's ground truth for a failure (ARR: the failure-classification row id); never rendered. */
  failure?: string;
  /** Nominal epoch ms the line was written (its date/time fields). */
  at: number;
  /** The file and 1-based line number the entry was written to (set when logged). */
  where?: { file: string; line: number };
}

export type LoggedRequest =
  | { kind: 'w3c'; meta: RecordMeta; entry: W3cEntry }
  | { kind: 'httperr'; meta: RecordMeta; entry: HttperrEntry };

/**
 * The `time-taken` a W3SVC line logs, from the nominal one: deterministic runs model a real farm's
 * spread (lab/jitter.ts); without a model the nominal value is logged.
 */
export type TimeTakenModel = (host: string, seq: number, entry: W3cEntry) => number;
