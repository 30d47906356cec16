import type { Availability, ServerConfig } from './farm-config.ts';
import { ResponseTimeWindow } from './response-time-window.ts';

/** The runtime counters ARR keeps per server (docs/reference.md §1.4 `counters`). */
export interface ServerCounters {
  totalRequests: number;
  failedRequests: number;
  currentRequests: number;
  bytesSent: number;
  bytesReceived: number;
  /** Average response time in ms over completed requests. */
  responseTime: number;
}

/** `counters/@state` (docs/reference.md §1.4, §1.9). */
export type CounterState = 'Active' | 'Draining' | 'Inactive';

/** Something in flight to this server that an administrator can cut short. */
export interface InFlight {
  abort(reason: Error): void;
}

/**
 * A farm member as the running ARR sees it: configuration, availability (the Rotate Servers
 * actions), health, counters, and the requests in flight to it.
 */
export class ServerRuntime {
  availability: Availability;
  healthy = true;
  readonly counters: ServerCounters = {
    totalRequests: 0, failedRequests: 0, currentRequests: 0, bytesSent: 0, bytesReceived: 0, responseTime: 0,
  };
  /** The last 1024 completed requests' response times, for LeastResponseTime. */
  private readonly responseTimes = new ResponseTimeWindow(1024);
  readonly inFlight = new Set<InFlight>();
  private completed = 0;

  constructor(readonly config: ServerConfig) {
    this.availability = config.availability;
  }

  get address(): string {
    return this.config.address;
  }

  /** Accepts requests that are not bound to it by affinity. */
  get takesNewRequests(): boolean {
    return this.config.enabled && this.availability === 'Available';
  }

  /** Accepts requests from clients with affinity to it: "Disallow New Connections" still serves them. */
  get takesAffinitizedRequests(): boolean {
    return this.config.enabled && (this.availability === 'Available' || this.availability === 'Drain');
  }

  get state(): CounterState {
    switch (this.availability) {
      case 'Available':
        return 'Active';
      case 'Drain':
        return 'Draining';
      case 'UnavailableGracefully':
        return this.counters.currentRequests > 0 ? 'Draining' : 'Inactive';
      case 'UnavailableImmediately':
        return 'Inactive';
    }
  }

  started(): void {
    this.counters.totalRequests++;
    this.counters.currentRequests++;
  }

  finished(outcome: { failed: boolean; at: number; responseMs: number; bytesSent: number; bytesReceived: number }): void {
    const c = this.counters;
    c.currentRequests--;
    if (outcome.failed) c.failedRequests++;
    c.bytesSent += outcome.bytesSent;
    c.bytesReceived += outcome.bytesReceived;
    this.completed++;
    c.responseTime += (outcome.responseMs - c.responseTime) / this.completed;
    this.responseTimes.add(outcome.at, outcome.responseMs);
  }

  /** Average response time over the completed requests that ended within `periodMs` of `now`. */
  averageResponseTime(now: number, periodMs: number): number | undefined {
    return this.responseTimes.average(now, periodMs);
  }
}
