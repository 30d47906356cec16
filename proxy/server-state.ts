import type { Availability, ServerConfig } from './farm-config.ts';

/** The runtime counters ARR keeps per server (reference §1.4 `counters`). */
export interface ServerCounters {
  totalRequests: number;
  failedRequests: number;
  currentRequests: number;
  bytesSent: number;
  bytesReceived: number;
  /** Average response time in ms over completed requests. */
  responseTime: number;
}

/** A farm member as the running ARR sees it: configuration, availability, counters. */
export class ServerRuntime {
  availability: Availability;
  readonly counters: ServerCounters = {
    totalRequests: 0, failedRequests: 0, currentRequests: 0, bytesSent: 0, bytesReceived: 0, responseTime: 0,
  };
  private completed = 0;

  constructor(readonly config: ServerConfig) {
    this.availability = config.availability;
  }

  get address(): string {
    return this.config.address;
  }

  /** Whether new requests may be routed here. */
  get routable(): boolean {
    return this.config.enabled && this.availability === 'Available';
  }

  started(): void {
    this.counters.totalRequests++;
    this.counters.currentRequests++;
  }

  finished(outcome: { failed: boolean; responseMs: number; bytesSent: number; bytesReceived: number }): void {
    const c = this.counters;
    c.currentRequests--;
    if (outcome.failed) c.failedRequests++;
    c.bytesSent += outcome.bytesSent;
    c.bytesReceived += outcome.bytesReceived;
    this.completed++;
    c.responseTime += (outcome.responseMs - c.responseTime) / this.completed;
  }
}
