import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import * as hdr from 'hdr-histogram-js';

/**
 * One host's logs over a load run, counted line by line from the files it wrote (not from
 * records kept in memory, so a long run costs no memory): W3SVC outcomes as `status substatus
 * win32`, HTTPERR reasons, and the nominal `time-taken` distribution.
 */
export interface HostTally {
  /** W3SVC lines by `sc-status sc-substatus sc-win32-status`, health probes left out. */
  w3svc: Record<string, number>;
  /** Per-request HTTPERR lines by `s-reason`, health probes left out. */
  httperr: Record<string, number>;
  /**
   * HTTPERR lines about a connection, not a request (`Timer_ConnectionIdle`, `Timer_HeaderWait`:
   * no method, no URI, docs/reference.md §6.3): outside the per-request accounting.
   */
  connections: Record<string, number>;
  /** Lines of requests for the farm's health-check path (the controller's URL test). */
  probes: number;
  w3svcLines: number;
  /** Per-request HTTPERR lines (probes included), connection lines not. */
  httperrLines: number;
  /** Nominal `time-taken` of the W3SVC lines that are not probes, in ms. */
  timeTaken: Percentiles | undefined;
}

export interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Reads a host's W3SVC and HTTPERR files; `probePath` is the health-check URL's path, if any. */
export async function tallyHost(files: { w3svc: string[]; httperr: string[] }, probePath: string | undefined): Promise<HostTally> {
  const tally: HostTally = { w3svc: {}, httperr: {}, connections: {}, probes: 0, w3svcLines: 0, httperrLines: 0, timeTaken: undefined };
  const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 1e9, numberOfSignificantValueDigits: 3 });
  try {
    for (const file of files.w3svc) {
      await eachRow(file, (row) => {
        tally.w3svcLines++;
        if (probePath !== undefined && row['cs-uri-stem'] === probePath) {
          tally.probes++;
          return;
        }
        bump(tally.w3svc, `${row['sc-status']} ${row['sc-substatus']} ${row['sc-win32-status']}`);
        histogram.recordValue(Number(row['time-taken']));
      });
    }
    for (const file of files.httperr) {
      await eachRow(file, (row) => {
        const uri = row['cs-uri'] ?? '-';
        if (uri === '-' && (row['cs-method'] ?? '-') === '-') {
          bump(tally.connections, row['s-reason'] ?? '-');
          return;
        }
        tally.httperrLines++;
        if (probePath !== undefined && uri.split('?')[0] === probePath) {
          tally.probes++;
          return;
        }
        bump(tally.httperr, row['s-reason'] ?? '-');
      });
    }
    if (histogram.totalCount > 0) {
      // A percentile is its bucket's highest equivalent value: capped at the largest value seen.
      const at = (p: number) => Math.min(histogram.getValueAtPercentile(p), histogram.maxValue);
      tally.timeTaken = { count: histogram.totalCount, p50: at(50), p90: at(90), p99: at(99), max: histogram.maxValue };
    }
  } finally {
    histogram.destroy();
  }
  return tally;
}

function bump(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** Calls `fn` for each data line of a W3C-format file, by its `#Fields` directive. */
export async function eachRow(file: string, fn: (row: Record<string, string>) => void): Promise<void> {
  let fields: string[] = [];
  const lines = createInterface({ input: createReadStream(file, 'latin1'), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.startsWith('#')) {
      if (line.startsWith('#Fields: ')) fields = line.slice(9).split(' ');
      continue;
    }
    if (line === '') continue;
    const values = line.split(' ');
    const row: Record<string, string> = {};
    fields.forEach((f, i) => (row[f] = values[i] ?? '-'));
    fn(row);
  }
}
