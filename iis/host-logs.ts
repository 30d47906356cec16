import { join } from 'node:path';
import { utcParts } from '../core/clock.ts';
import { LogDirectory } from './log-file.ts';
import type { HttperrEntry, LoggedRequest, RecordMeta, TimeTakenModel, W3cEntry } from './log-records.ts';
import { HTTPERR_FIELD_VARIANTS, W3SVC_DEFAULT_FIELDS, directives, httperrFields, httperrLine, w3cLine, type HttperrVariant } from './w3c-format.ts';

/** Where a host's files live, mirroring a Windows system drive under the host's folder. */
export function w3svcDir(hostRoot: string, siteId: number): string {
  return join(hostRoot, 'inetpub', 'logs', 'LogFiles', `W3SVC${siteId}`);
}

export function httperrDir(hostRoot: string): string {
  return join(hostRoot, 'Windows', 'System32', 'LogFiles', 'HTTPERR');
}

/** W3SVC's daily file name, one string per day (every request's line asks for it). */
function dailyFileName(): (at: number) => string {
  let day = '';
  let name = '';
  return (at) => {
    const { yymmdd } = utcParts(at);
    if (yymmdd !== day) {
      day = yymmdd;
      name = `u_ex${yymmdd}.log`;
    }
    return name;
  };
}

/** http.sys `ErrorLogFileTruncateSize` default (1 MB, also the minimum). */
export const HTTPERR_TRUNCATE_SIZE = 0x100000;

export interface HostLogsOptions {
  host: string;
  root: string;
  siteId: number;
  iisVersion: string;
  httperrVariant: HttperrVariant;
  /**
   * Keep every record in memory (scenario runs assert on them). A long-running lab or a load run
   * keeps only the count: the files have the lines either way.
   */
  retain?: boolean;
  /** Modelled spread of time-taken (deterministic runs). */
  timeTaken?: TimeTakenModel;
}

/**
 * A host's request accounting: every request that reaches the host ends here exactly once, as a
 * W3SVC line or an HTTPERR line, and is kept as a structured record for assertions.
 */
export class HostLogs {
  readonly records: LoggedRequest[] = [];
  /** Requests logged so far, retained or not. */
  logged = 0;
  /** Connection-level HTTPERR lines so far, by reason. */
  readonly connectionEvents = new Map<string, number>();
  private readonly w3svc: LogDirectory;
  private readonly httperr: LogDirectory;
  private readonly listeners = new Set<(record: LoggedRequest) => void>();

  constructor(private readonly options: HostLogsOptions) {
    const software = `Microsoft Internet Information Services ${options.iisVersion}`;
    this.w3svc = new LogDirectory(w3svcDir(options.root, options.siteId), {
      fileName: dailyFileName(),
      header: (at) => directives(software, at, W3SVC_DEFAULT_FIELDS),
    });
    const fields = HTTPERR_FIELD_VARIANTS[options.httperrVariant];
    this.httperr = new LogDirectory(httperrDir(options.root), {
      fileName: (_at, index) => `httperr${index}.log`,
      header: (at) => directives('Microsoft HTTP API 2.0', at, fields),
      truncateSize: HTTPERR_TRUNCATE_SIZE,
    });
  }

  w3c(meta: RecordMeta, nominal: W3cEntry): void {
    const model = this.options.timeTaken;
    const entry = model ? { ...nominal, 'time-taken': model(this.options.host, meta.seq, nominal) } : nominal;
    meta.where = this.w3svc.append(meta.at, w3cLine(meta.at, entry));
    this.emit({ kind: 'w3c', meta, entry });
  }

  /**
   * An HTTPERR line about a connection rather than a request (Timer_ConnectionIdle,
   * Timer_HeaderWait): not part of the per-request accounting.
   */
  connectionEvent(at: number, raw: HttperrEntry): void {
    const entry = httperrFields(raw);
    this.httperr.append(at, httperrLine(at, entry, this.options.httperrVariant));
    this.connectionEvents.set(entry['s-reason'], (this.connectionEvents.get(entry['s-reason']) ?? 0) + 1);
  }

  httpErr(meta: RecordMeta, raw: HttperrEntry): void {
    const entry = httperrFields(raw);
    meta.where = this.httperr.append(meta.at, httperrLine(meta.at, entry, this.options.httperrVariant));
    this.emit({ kind: 'httperr', meta, entry });
  }

  onRecord(listener: (record: LoggedRequest) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  files(): { w3svc: string[]; httperr: string[] } {
    return { w3svc: this.w3svc.files(), httperr: this.httperr.files() };
  }

  flush(): void {
    this.w3svc.flush();
    this.httperr.flush();
  }

  close(): void {
    this.w3svc.close();
    this.httperr.close();
  }

  private emit(record: LoggedRequest): void {
    this.logged++;
    if (this.options.retain !== false) this.records.push(record);
    for (const l of this.listeners) l(record);
  }
}
