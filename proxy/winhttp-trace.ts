import { join } from 'node:path';
import { LogDirectory } from '../iis/log-file.ts';
import type { ClassificationRow } from './failure-classification.ts';
import type { Failure } from './failure.ts';

/**
 * The controller's WinHTTP trace, as the message column of a `netsh trace scenario=internetclient`
 * capture shows it (docs/reference.md §8): for every failed trip to a member, the lines WinHTTP writes for
 * the phase that failed, each call stamped when it was made and the completion when it came.
 *
 * - A receive failure (§8.1, verbatim): WinHttpReceiveResponse when the request had been sent, then
 *   the sys-recver block when the receive completed with an error.
 * - A connect failure (§8.2, verbatim): the send completes only when the connection attempt ends,
 *   so WinHttpReceiveResponse and its failure carry the same stamp; refused follows it (§8.3 [U]).
 * - Resolve, send and body failures never appear in a source: their lines use §8's vocabulary
 *   (sys-req for the request, sys-recver for the response) and are marked [I] in the docs.
 *
 * A Win32 code WinHTTP has no symbolic name for shows as `?`.
 */
const PREFIX = 'WINHTTP_MicrosoftWindowsWinHttp';

function clockTime(at: number): string {
  return new Date(Math.floor(at)).toISOString().slice(11, 23);
}

function handle(n: number, base: number): string {
  return (base + n * 0x1a8).toString(16);
}

/** What the trace needs of the failure the forwarder observed. */
export type ObservedTrip = Pick<Failure, 'phase' | 'calls'>;

/** The lines for one failed trip; empty when WinHTTP had nothing to say (502.4 never reached it). */
export function traceLines(row: ClassificationRow, sequence: number, trip: ObservedTrip, at: number): string[] {
  if (!row.winhttp || !row.cause) return [];
  const stamp = (when: number) => `${PREFIX}:${clockTime(when)} ::`;
  const t = stamp(at);
  const { code, name } = row.cause;
  const shown = name.startsWith('WSA') ? name : '?';
  const err = `${row.winhttp.name} (${row.winhttp.code})`;
  const mapped = `${t}ERROR_WINHTTP_FROM_WIN32 mapped (${shown}) ${code} to (${row.winhttp.name}) ${row.winhttp.code}`;
  const request = `0x${handle(sequence, 0x11d23d0)}`;
  const overlapped = handle(sequence, 0x3728f0).toUpperCase().padStart(8, '0');
  const receive = (calledAt: number) => [
    `${stamp(calledAt)}WinHttpReceiveResponse(${request}, 0x0)`,
    `${stamp(calledAt)}sys-recver starts in _INIT state`,
    `${stamp(calledAt)}current thread is not impersonating`,
    `${t}sys-recver processing WebReceiveHttpResponse completion (error-cdoe = ${shown} (0x${code.toString(16)}), overlapped = ${overlapped}))`,
    `${t}sys-recver failed to receive headers; error = ${shown} (${code})`,
    mapped,
    `${t}sys-recver returning ${err} from RecvResponse()`,
  ];
  switch (trip.phase) {
    case 'resolve':
      return [`${t}sys-req failed to resolve server name; error = ${shown} (${code})`, mapped, `${t}sys-req returning ${err} from SendRequest()`];
    case 'send':
      return [`${t}sys-req failed to send request; error = ${shown} (${code})`, mapped, `${t}sys-req returning ${err} from SendRequest()`];
    case 'connect':
      return receive(at);
    case 'receive-body':
      return [
        `${stamp(trip.calls.read ?? at)}WinHttpReadData(${request}, 0x${overlapped}, 8192, 0x0)`,
        `${t}sys-recver failed to receive entity body; error = ${shown} (${code})`,
        mapped,
        `${t}sys-recver returning ${err} from RecvEntity()`,
      ];
    default:
      return [...receive(trip.calls.receive ?? at), `${t}sys-req completes recv-headers inline (sync); error = ${err}`];
  }
}

export class WinHttpTrace {
  private readonly log: LogDirectory;
  private sequence = 0;

  /** Writes `<host>/Windows/Temp/winhttp-trace.txt`. */
  constructor(hostRoot: string) {
    this.log = new LogDirectory(join(hostRoot, 'Windows', 'Temp'), { fileName: () => 'winhttp-trace.txt', header: () => '' });
  }

  failed(at: number, row: ClassificationRow, trip: ObservedTrip): void {
    for (const line of traceLines(row, ++this.sequence, trip, at)) this.log.append(at, `${line}\r\n`);
  }

  files(): string[] {
    return this.log.files();
  }

  flush(): void {
    this.log.flush();
  }

  close(): void {
    this.log.close();
  }
}
