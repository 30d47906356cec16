import type { ServerResponse } from 'node:http';
import * as hdr from 'hdr-histogram-js';
import type { FarmEvent } from '../proxy/farm-events.ts';
import type { LiveRequest, RequestSummary } from './request-ring.ts';
import { summarize } from './request-ring.ts';

/** What one batch of the live stream carries. */
export interface Batch {
  /** The lab's nominal frontier (epoch ms), and the wall ms the batch covers. */
  now: number;
  windowMs: number;
  /** ARR's logged requests so far (kept in the ring or not). */
  total: number;
  /** The newest requests logged in this window (at most `maxRequests`; `dropped` says how many more). */
  requests: RequestSummary[];
  dropped: number;
  /** Outcomes in this window by `status.substatus`, and ARR's time-taken percentiles (nominal ms). */
  outcomes: Record<string, number>;
  latency: { p50: number; p90: number; p99: number; count: number };
  farm: unknown;
  events: FarmEvent[];
}

export interface BatchSource {
  now(): number;
  farm(): unknown;
  events(): readonly FarmEvent[];
  total(): number;
  onRequest(listener: (r: LiveRequest) => void): () => void;
}

/**
 * The dashboard's live stream as Server-Sent Events. Requests are not pushed one by one: a batch
 * every `intervalMs` carries the farm, new farm events, the window's outcome counts and latency
 * percentiles and at most `maxRequests` request rows, so 2,000 req/s costs the browser one message
 * a second. One second by default: autocannon paces its rate per second, so shorter windows draw a
 * saw-tooth of full and empty windows. Node's own HTTP response is enough for SSE (text lines on a
 * response kept open), so no library is involved.
 */
export class EventStream {
  private readonly clients = new Set<ServerResponse>();
  private readonly timer: NodeJS.Timeout;
  private readonly unsubscribe: () => void;
  private recent: LiveRequest[] = [];
  private seen = 0;
  private outcomes: Record<string, number> = {};
  private readonly histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 1e9, numberOfSignificantValueDigits: 3 });
  private eventsSent = 0;
  private last = performance.now();

  constructor(
    private readonly source: BatchSource,
    private readonly intervalMs = 1000,
    private readonly maxRequests = 100,
  ) {
    this.unsubscribe = source.onRequest((r) => {
      this.seen++;
      this.recent.push(r);
      if (this.recent.length > this.maxRequests) this.recent.shift();
      const key = r.substatus ? `${r.status}.${r.substatus}` : String(r.status);
      this.outcomes[key] = (this.outcomes[key] ?? 0) + 1;
      this.histogram.recordValue(Math.max(1, Math.round(r.timeTaken)));
    });
    this.timer = setInterval(() => this.flush(), intervalMs);
    this.timer.unref();
  }

  attach(res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(`retry: 1000\n\n`);
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
    // A new client gets the farm and every farm event at once, not after the next tick.
    this.write(res, { ...this.emptyBatch(0), events: [...this.source.events()] });
  }

  /** Builds and sends one batch; the window's counters start again. */
  flush(): Batch {
    const events = this.source.events();
    const now = performance.now();
    const batch: Batch = {
      ...this.emptyBatch(now - this.last),
      requests: this.recent.map(summarize),
      dropped: this.seen - this.recent.length,
      outcomes: this.outcomes,
      latency: {
        p50: this.histogram.getValueAtPercentile(50), p90: this.histogram.getValueAtPercentile(90), p99: this.histogram.getValueAtPercentile(99),
        count: this.histogram.totalCount,
      },
      events: events.slice(this.eventsSent),
    };
    this.eventsSent = events.length;
    this.last = now;
    this.recent = [];
    this.seen = 0;
    this.outcomes = {};
    this.histogram.reset();
    for (const c of this.clients) this.write(c, batch);
    return batch;
  }

  close(): void {
    clearInterval(this.timer);
    this.unsubscribe();
    this.histogram.destroy();
    for (const c of this.clients) c.end();
    this.clients.clear();
  }

  private emptyBatch(windowMs: number): Batch {
    return {
      now: this.source.now(), windowMs, total: this.source.total(), requests: [], dropped: 0, outcomes: {},
      latency: { p50: 0, p90: 0, p99: 0, count: 0 }, farm: this.source.farm(), events: [],
    };
  }

  private write(res: ServerResponse, batch: Batch): void {
    res.write(`event: batch\ndata: ${JSON.stringify(batch)}\n\n`);
  }
}
