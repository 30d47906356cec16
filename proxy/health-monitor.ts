import type { LabClock, TimerHandle, Timeline } from '../core/clock.ts';
import type { FarmRuntime } from './farm.ts';
import type { ForwardHandle, Forwarder } from './forwarder.ts';
import type { ServerRuntime } from './server-state.ts';
import { parseStatusRanges } from '../core/status-ranges.ts';

/** `TestHealth`'s result taxonomy (SCHEMA-ARR, docs/reference.md §1.4). */
export type ProbeResult =
  | { result: 'Success'; httpStatus: number }
  | { result: 'ConnectionFailure'; detail: string }
  | { result: 'StatusCodeFailure'; httpStatus: number }
  | { result: 'ResponseEntityFailure'; httpStatus: number };

export interface HealthProbe {
  server: string;
  /** Nominal epoch ms the probe finished. */
  at: number;
  attempt: number;
  outcome: ProbeResult;
}

/**
 * ARR's two health tests (docs/reference.md §1.6, §1.9):
 * - the URL test: every `interval`, a GET of `url` to each server (the URL's path and host, the
 *   server's address and port); no answer within `timeout`, a status outside `statusCodeMatch`
 *   or a body without `responseMatch` is a failure. A failed test is repeated `retries` more
 *   times before the server is marked unhealthy (whether `retries` counts extra attempts or all
 *   attempts is undocumented). It is the only test that brings a server back.
 * - the live-traffic test: responses whose status is in `liveTrafficFailureCodes` (and, by the
 *   `liveTrafficCountsConnectionErrors` switch, connection errors) count as failures;
 *   `maxLiveTrafficFailures` of them within `liveTrafficFailurePeriod` mark the server unhealthy.
 *   A period of 00:00:00 is read as "no window": failures count until the server is marked.
 * Every wait is on the lab clock.
 */
export class HealthMonitor {
  readonly probes: HealthProbe[] = [];
  private readonly failures = new Map<ServerRuntime, number[]>();
  private readonly isLiveFailure: (status: number) => boolean;
  private readonly statusMatches: (status: number) => boolean;
  private timer: TimerHandle | undefined;
  private readonly probing = new Set<{ abort(reason: Error): void }>();
  private stopped = false;
  private testing = 0;
  /**
   * The monitor is a lab party of its own: while a URL test is under way it holds back later
   * timers (a scenario's next step waits for the verdict of a test that fell due before it).
   */
  private timeline: Timeline | undefined;

  constructor(
    private readonly farm: FarmRuntime,
    private readonly forwarder: Forwarder,
    private readonly clock: LabClock,
  ) {
    const hc = farm.config.healthCheck;
    this.isLiveFailure = parseStatusRanges(hc.liveTrafficFailureCodes) as (s: number) => boolean;
    this.statusMatches = parseStatusRanges(hc.statusCodeMatch) as (s: number) => boolean;
  }

  /** Resolves once no URL test is in progress. */
  async idle(): Promise<void> {
    while (this.testing > 0) await new Promise((resolve) => setImmediate(resolve));
  }

  start(): void {
    if (!this.farm.config.healthCheck.url) return;
    this.timeline = this.clock.begin(undefined, true);
    this.timeline.run(() => this.schedule());
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timeline?.finish();
    for (const p of this.probing) p.abort(new Error('health monitor stopped'));
  }

  /** One completed live request: its final status, or a connection error (502.3). */
  recordLive(server: ServerRuntime, outcome: { status: number; connectionError: boolean }): void {
    const hc = this.farm.config.healthCheck;
    const counts = outcome.connectionError ? this.farm.config.lab.liveTrafficCountsConnectionErrors : this.isLiveFailure(outcome.status);
    if (!counts || !server.healthy) return;
    const now = this.clock.now();
    const list = this.failures.get(server) ?? [];
    list.push(now);
    if (hc.liveTrafficFailurePeriod > 0) while (list.length > 0 && now - list[0]! > hc.liveTrafficFailurePeriod) list.shift();
    this.failures.set(server, list);
    if (list.length >= hc.maxLiveTrafficFailures) {
      this.failures.delete(server);
      this.farm.markUnhealthy(server, `${list.length} live traffic failures`);
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimer(this.farm.config.healthCheck.interval, () => void this.runUrlTest());
    this.timeline?.park();
  }

  private async runUrlTest(): Promise<void> {
    this.testing++;
    try {
      await Promise.all(this.farm.servers.map((s) => this.testServer(s)));
    } finally {
      this.testing--;
    }
    this.schedule();
  }

  private async testServer(server: ServerRuntime): Promise<void> {
    const retries = this.farm.config.healthCheck.retries;
    for (let attempt = 1; attempt <= retries + 1 && !this.stopped; attempt++) {
      const outcome = await this.probe(server);
      if (this.stopped) return;
      this.probes.push({ server: server.address, at: this.clock.now(), attempt, outcome });
      if (outcome.result === 'Success') {
        this.failures.delete(server);
        this.farm.markHealthy(server);
        return;
      }
      if (attempt === retries + 1) this.farm.markUnhealthy(server, describe(outcome));
    }
  }

  private probe(server: ServerRuntime): Promise<ProbeResult> {
    const hc = this.farm.config.healthCheck;
    const url = new URL(hc.url!);
    const port = server.config.healthCheckAlternatePort || server.config.httpPort;
    const address = server.config.healthCheckAlternateHostName || server.address;
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let status = 0;
      let settled = false;
      const finish = (result: ProbeResult) => {
        settled = true;
        if (handle) this.probing.delete(handle);
        resolve(result);
      };
      let handle: ForwardHandle | undefined;
      handle = this.forwarder.forward(
        {
          address, port, method: 'GET', path: url.pathname + url.search,
          headers: [['Host', url.host]], body: null, reset: false,
        },
        {
          onResponse: (s) => {
            status = s;
          },
          onData: (chunk) => {
            chunks.push(chunk);
            return true;
          },
          onComplete: () => {
            const body = Buffer.concat(chunks).toString('utf8');
            if (!this.statusMatches(status)) finish({ result: 'StatusCodeFailure', httpStatus: status });
            else if (hc.responseMatch && !body.includes(hc.responseMatch)) finish({ result: 'ResponseEntityFailure', httpStatus: status });
            else finish({ result: 'Success', httpStatus: status });
          },
          onFailure: (failure) => finish({ result: 'ConnectionFailure', detail: `${failure.phase} ${failure.kind}` }),
        },
        { resolve: hc.timeout, connect: hc.timeout, send: hc.timeout, receive: hc.timeout },
      );
      if (!settled) this.probing.add(handle);
    });
  }
}

/** The `<reason>` of event 1000; ARR's own wording is undocumented (docs/reference.md §10 q5). */
function describe(outcome: ProbeResult): string {
  switch (outcome.result) {
    case 'ConnectionFailure':
      return `a failed URL test (connection failure: ${outcome.detail})`;
    case 'StatusCodeFailure':
      return `a failed URL test (status code ${outcome.httpStatus})`;
    case 'ResponseEntityFailure':
      return 'a failed URL test (response did not match)';
    default:
      return 'a failed URL test';
  }
}
