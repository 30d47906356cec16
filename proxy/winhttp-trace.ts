import { join } from 'node:path';
import { LogDirectory } from '../iis/log-file.ts';
import type { ClassificationRow } from './failure-classification.ts';

/**
 * The controller's WinHTTP trace, as the message column of a `netsh trace scenario=internetclient`
 * capture shows it (reference §8): for every failed trip to a member, the block of lines WinHTTP
 * writes when the receive completes with an error and maps it to a WinHTTP error. The lines of
 * §8.1 (receive timeout) and §8.2 (no TCP answer) are verbatim; refused and reset connections
 * follow them by analogy (§8.3 [U]). A Win32 code WinHTTP has no symbolic name for shows as `?`.
 * Written from the failure the forwarder really observed, classified by the failure table.
 */
const PREFIX = 'WINHTTP_MicrosoftWindowsWinHttp';

function clockTime(at: number): string {
  return new Date(Math.floor(at)).toISOString().slice(11, 23);
}

function handle(n: number, base: number): string {
  return (base + n * 0x1a8).toString(16);
}

/** The lines for one failed request; empty when WinHTTP had nothing to say (502.4 never reached it). */
export function traceLines(at: number, row: ClassificationRow, sequence: number): string[] {
  if (!row.winhttp || !row.cause) return [];
  const t = `${PREFIX}:${clockTime(at)} ::`;
  const { code, name } = row.cause;
  const shown = name.startsWith('WSA') ? name : '?';
  const err = `${row.winhttp.name} (${row.winhttp.code})`;
  const overlapped = handle(sequence, 0x3728f0).toUpperCase().padStart(8, '0');
  return [
    `${t}WinHttpReceiveResponse(0x${handle(sequence, 0x11d23d0)}, 0x0)`,
    `${t}sys-recver starts in _INIT state`,
    `${t}current thread is not impersonating`,
    `${t}sys-recver processing WebReceiveHttpResponse completion (error-cdoe = ${shown} (0x${code.toString(16)}), overlapped = ${overlapped}))`,
    `${t}sys-recver failed to receive headers; error = ${shown} (${code})`,
    `${t}ERROR_WINHTTP_FROM_WIN32 mapped (${shown}) ${code} to (${row.winhttp.name}) ${row.winhttp.code}`,
    `${t}sys-recver returning ${err} from RecvResponse()`,
    `${t}sys-req completes recv-headers inline (sync); error = ${err}`,
  ];
}

export class WinHttpTrace {
  private readonly log: LogDirectory;
  private sequence = 0;

  /** Writes `<host>/Windows/Temp/winhttp-trace.txt`. */
  constructor(hostRoot: string) {
    this.log = new LogDirectory(join(hostRoot, 'Windows', 'Temp'), { fileName: () => 'winhttp-trace.txt', header: () => '' });
  }

  failed(at: number, row: ClassificationRow): void {
    for (const line of traceLines(at, row, ++this.sequence)) this.log.append(at, `${line}\r\n`);
  }

  files(): string[] {
    return this.log.files();
  }

  close(): void {
    this.log.close();
  }
}
