import autocannon from 'autocannon';
import { SingleBar, Presets } from 'cli-progress';
import { parseDetailedError } from '../../iis/detailed-error-page.ts';

export interface DriveOptions {
  /** The lab controller's URL for the request's path (loopback only). */
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string;
  connections: number;
  /** Wall seconds; or `amount` requests. */
  durationS?: number;
  amount?: number;
  /** Overall requests per second. */
  rate?: number;
  /** Wall seconds a request may take before the client gives up on it. */
  timeoutS: number;
  /** Wall-clock cap on the whole drive: autocannon is stopped when it is reached. */
  capMs: number;
  progress: boolean;
  /** Stops the traffic early (Ctrl-C): what was sent so far is still counted. */
  signal?: AbortSignal;
}

/** What the client saw, counted. */
export interface ClientTally {
  /** Requests written to a connection. */
  sent: number;
  /** Responses read whole. */
  answered: number;
  /** Connection errors and timeouts (a timeout is also an error, as autocannon counts it). */
  errors: number;
  timeouts: number;
  /** Responses by status code. */
  statuses: Record<string, number>;
  /** Error responses by `status.substatus errorCode`, read from every detailed error page. */
  errorPages: Record<string, number>;
  /** Errors by code (`ECONNRESET`, `timeout`...). */
  errorCodes: Record<string, number>;
  /** Wall-clock latency of answered requests, ms. */
  latency: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** Answered requests and their bytes per wall second. */
  throughput: { requestsPerSecond: number; bytesPerSecond: number; totalBytes: number };
  wallS: number;
  /** The wall-clock cap stopped the run before it ended on its own. */
  capped: boolean;
  /** An interrupt stopped it. */
  interrupted: boolean;
}

/**
 * Drives the controller with autocannon and counts what came back. Each autocannon client's
 * `request` event counts what was really written (autocannon's own `sent` is estimated), and
 * every error page is read back like the scenario client reads it, so the client side has its
 * own substatus and error code, not only the host logs'.
 */
export async function drive(options: DriveOptions): Promise<ClientTally> {
  const tally = { sent: 0, statuses: {} as Record<string, number>, errorPages: {} as Record<string, number>, errorCodes: {} as Record<string, number> };
  let finish!: (err: unknown, result: autocannon.Result) => void;
  const finished = new Promise<autocannon.Result>((resolve, reject) => (finish = (err, result) => (err ? reject(err) : resolve(result))));
  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    ...(options.amount !== undefined ? { amount: options.amount } : { duration: options.durationS ?? 10 }),
    ...(options.rate !== undefined ? { overallRate: options.rate } : {}),
    timeout: options.timeoutS,
    requests: [
      {
        method: options.method as 'GET',
        headers: options.headers,
        ...(options.body !== undefined ? { body: options.body } : {}),
        onResponse: (status: number, body: string) => {
          if (status < 400) return;
          const page = parseDetailedError(body);
          const key = page ? `${page.status}.${page.substatus}${page.errorCode ? ` ${page.errorCode}` : ''}` : `${status} (no detailed error page)`;
          tally.errorPages[key] = (tally.errorPages[key] ?? 0) + 1;
        },
      },
    ],
    setupClient: (client) => {
      // Emitted as each request is written; not in the typings.
      (client as unknown as NodeJS.EventEmitter).on('request', () => tally.sent++);
    },
  }, (err, result) => finish(err, result));
  const bar = options.progress ? progressBar(options) : undefined;
  const started = performance.now();
  let answered = 0;
  let errors = 0;
  // cli-progress redraws at its own pace; an update only records the values.
  const show = () =>
    bar?.update(options.amount !== undefined ? answered + errors : Math.min(options.durationS ?? 10, (performance.now() - started) / 1000), { answered, errors });
  instance.on('response', () => {
    answered++;
    show();
  });
  instance.on('reqError', (err: { code?: string; message?: string }) => {
    errors++;
    const code = err.code ?? (err.message === 'request timed out' ? 'timeout' : (err.message ?? 'error'));
    tally.errorCodes[code] = (tally.errorCodes[code] ?? 0) + 1;
    show();
  });
  const ticker = options.amount === undefined && bar ? setInterval(show, 250) : undefined;
  let capped = false;
  const cap = setTimeout(() => {
    capped = true;
    instance.stop();
  }, options.capMs);
  let interrupted = false;
  const interrupt = () => {
    interrupted = true;
    instance.stop();
  };
  if (options.signal?.aborted) interrupt();
  else options.signal?.addEventListener('abort', interrupt, { once: true });
  try {
    const result = await finished;
    const wallS = (performance.now() - started) / 1000;
    for (const [code, { count }] of Object.entries(result.statusCodeStats ?? {})) tally.statuses[code] = count ?? 0;
    const answeredAll = Object.values(tally.statuses).reduce((a, n) => a + n, 0);
    return {
      sent: tally.sent,
      answered: answeredAll,
      errors: result.errors,
      timeouts: result.timeouts,
      statuses: tally.statuses,
      errorPages: tally.errorPages,
      errorCodes: tally.errorCodes,
      latency: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: result.latency.mean },
      // Over the whole run, not autocannon's one-second samples: a short run has none that is full.
      throughput: { requestsPerSecond: answeredAll / wallS, bytesPerSecond: result.throughput.total / wallS, totalBytes: result.throughput.total },
      wallS,
      capped,
      interrupted,
    };
  } finally {
    clearTimeout(cap);
    options.signal?.removeEventListener('abort', interrupt);
    if (ticker) clearInterval(ticker);
    bar?.stop();
  }
}

/** The live progress bar on stderr: requests done out of the amount, or seconds out of the duration. */
function progressBar(options: DriveOptions): SingleBar {
  const byAmount = options.amount !== undefined;
  const bar = new SingleBar(
    {
      stream: process.stderr,
      format: byAmount ? 'load [{bar}] {value}/{total} requests | {answered} answered, {errors} errors' : 'load [{bar}] {percentage}% of {total} s | {answered} answered, {errors} errors',
      formatValue: (v, _o, type) => (type === 'value' || type === 'total' ? String(Math.round(v)) : String(v)),
      hideCursor: true,
    },
    Presets.shades_classic,
  );
  bar.start(byAmount ? options.amount! : (options.durationS ?? 10), 0, { answered: 0, errors: 0 });
  return bar;
}
