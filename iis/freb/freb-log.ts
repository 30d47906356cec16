import { mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { FREB_XSL } from './freb-xsl.ts';
import { join } from 'node:path';
import { parseStatusRanges } from '../../core/status-ranges.ts';
import { renderFailedRequest, type FailedRequestInfo } from './freb-xml.ts';
import type { TraceEvent } from './trace.ts';

/**
 * A site's Failed Request Tracing: the rule (`failureDefinitions` status codes and time taken)
 * and the folder of `frNNNNNN.xml` files, which keeps the newest `maxLogFiles` (docs/reference.md §7.1).
 */
export interface FrebRule {
  /** `failureDefinitions/@statusCodes`, e.g. `500-999`. */
  statusCodes: string;
  /** `failureDefinitions/@timeTaken` in ms; unset: no time rule. */
  timeTaken?: number;
  maxLogFiles: number;
}

/** The lab's default: every 5xx is traced. */
export const DEFAULT_FREB_RULE: FrebRule = { statusCodes: '500-999', maxLogFiles: 50 };

export function frebDir(hostRoot: string, siteId: number): string {
  return join(hostRoot, 'inetpub', 'logs', 'FailedReqLogFiles', `W3SVC${siteId}`);
}

export class FrebLog {
  private sequence = 0;
  private readonly written: string[] = [];
  private readonly matches: (status: number) => boolean;

  constructor(
    readonly dir: string,
    private readonly rule: FrebRule,
  ) {
    const parsed = parseStatusRanges(rule.statusCodes);
    if (typeof parsed === 'string') throw new Error(`Failed Request Tracing statusCodes: ${parsed}`);
    this.matches = parsed;
  }

  /** The `timeTaken` rule's limit in nominal ms, if the rule has one. */
  get timeTakenLimit(): number | undefined {
    return this.rule.timeTaken;
  }

  /** Why the request is traced, or undefined when no rule fires. */
  failureReason(status: number, timeTaken: number): FailedRequestInfo['failureReason'] | undefined {
    if (this.matches(status)) return 'STATUS_CODE';
    if (this.rule.timeTaken !== undefined && timeTaken >= this.rule.timeTaken) return 'TIME_TAKEN';
    return undefined;
  }

  /** Writes one trace file whole, a new one or again over `file`; returns its path. */
  write(info: FailedRequestInfo, events: readonly TraceEvent[], file?: string): string {
    if (file !== undefined) {
      writeFileSync(`${file}.tmp`, renderFailedRequest(info, events));
      renameSync(`${file}.tmp`, file);
      return file;
    }
    if (this.sequence === 0) {
      mkdirSync(this.dir, { recursive: true });
      // The traces name `freb.xsl` as their stylesheet; IIS keeps one in the folder (docs/reference.md §7.1).
      // A stylesheet already there is left as it is.
      try {
        writeFileSync(join(this.dir, 'freb.xsl'), FREB_XSL, { flag: 'wx' });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
    const created = join(this.dir, `fr${String(++this.sequence).padStart(6, '0')}.xml`);
    writeFileSync(`${created}.tmp`, renderFailedRequest(info, events));
    renameSync(`${created}.tmp`, created);
    this.written.push(created);
    while (this.written.length > this.rule.maxLogFiles) rmSync(this.written.shift()!, { force: true });
    return created;
  }

  files(): string[] {
    return this.sequence === 0 ? [] : readdirSync(this.dir).filter((f) => /^fr\d{6}\.xml$/.test(f)).sort().map((f) => join(this.dir, f));
  }
}
