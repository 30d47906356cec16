import type { LabClock } from '../core/clock.ts';
import { CookieAffinity } from './affinity.ts';
import type { Balancer, RoutingContext } from './balancers/balancer.ts';
import { createBalancer } from './balancers/index.ts';
import type { Availability, FarmConfig } from './farm-config.ts';
import { markedUnhealthy, minimumReached, type FarmEvent } from './farm-events.ts';
import { labError } from './failure.ts';
import { ServerRuntime } from './server-state.ts';

export interface Route {
  server: ServerRuntime;
  /** ARR_SERVER_ROUTED's RoutingReason. `Affinity` is the lab's name for the cookie case. */
  reason: 'LoadBalancing' | 'Affinity';
  /** Set-Cookie for a client newly bound by affinity. */
  setCookie: string | undefined;
}

/**
 * A running web farm: its members' runtime state, the balancer, affinity, and the health rules
 * that decide who may take a request (docs/reference.md §1.6-1.9).
 */
export class FarmRuntime {
  readonly servers: ServerRuntime[];
  readonly algorithm: string;
  readonly events: FarmEvent[] = [];
  private readonly balancer: Balancer;
  private readonly affinity: CookieAffinity | undefined;
  private atMinimum = false;
  private readonly listeners = new Set<(e: FarmEvent) => void>();

  constructor(
    readonly config: FarmConfig,
    private readonly clock: LabClock,
  ) {
    this.servers = config.servers.map((s) => new ServerRuntime(s));
    ({ balancer: this.balancer, algorithm: this.algorithm } = createBalancer(config));
    this.affinity = config.affinity.useCookie ? new CookieAffinity(config.affinity, this.servers) : undefined;
  }

  server(address: string): ServerRuntime | undefined {
    return this.servers.find((s) => s.address.toLowerCase() === address.toLowerCase());
  }

  get healthyCount(): number {
    return this.servers.filter((s) => s.healthy).length;
  }

  /**
   * Below `minServers` healthy servers ARR "disregards the health status of the servers" and
   * may route to unhealthy ones (TN-EVENTS).
   */
  private usable(server: ServerRuntime): boolean {
    return server.healthy || this.healthyCount < this.config.healthCheck.minServers;
  }

  /** The server for a request, or undefined when none can take it (502.4). */
  route(request: RoutingContext, cookieHeader: string | undefined, host: string | undefined): Route | undefined {
    const bound = this.affinity?.bound(cookieHeader);
    if (bound && bound.takesAffinitizedRequests && this.usable(bound)) return { server: bound, reason: 'Affinity', setCookie: undefined };
    const server = this.balancer.pick(this.servers.filter((s) => s.takesNewRequests && this.usable(s)), request);
    if (!server) return undefined;
    return { server, reason: 'LoadBalancing', setCookie: this.affinity?.cookieFor(server, host) };
  }

  /** The balancer's pick for a retry after a connect failure: among the servers not yet tried. */
  retryRoute(request: RoutingContext, tried: ReadonlySet<ServerRuntime>): ServerRuntime | undefined {
    return this.balancer.pick(this.servers.filter((s) => !tried.has(s) && s.takesNewRequests && this.usable(s)), request);
  }

  /**
   * The Rotate Servers actions. "Unavailable Immediately" also terminates the requests in flight
   * to the server (TN-ROTATE); the others let them complete.
   */
  setAvailability(address: string, availability: Availability): void {
    const server = this.mustFind(address);
    server.availability = availability;
    if (availability === 'UnavailableImmediately') {
      for (const f of [...server.inFlight]) f.abort(labError('aborted', `server ${server.address} was made unavailable immediately`, 'LAB_TERMINATED'));
    }
  }

  /**
   * Marks a server unhealthy unless that would leave fewer than `minServers` healthy, in which
   * case event 1002 is logged (once, until a server becomes healthy again) and nothing changes.
   */
  markUnhealthy(server: ServerRuntime, reason: string): void {
    if (!server.healthy) return;
    if (this.healthyCount - 1 < this.config.healthCheck.minServers) {
      if (!this.atMinimum) this.emit(minimumReached(this.clock.now(), this.config.name));
      this.atMinimum = true;
      return;
    }
    server.healthy = false;
    this.emit(markedUnhealthy(this.clock.now(), this.config.name, server.address, reason));
  }

  markHealthy(server: ServerRuntime): void {
    if (server.healthy) return;
    server.healthy = true;
    this.atMinimum = false;
  }

  onEvent(listener: (e: FarmEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: FarmEvent): void {
    this.events.push(event);
    for (const l of this.listeners) l(event);
  }

  private mustFind(address: string): ServerRuntime {
    const server = this.server(address);
    if (!server) throw new Error(`farm ${this.config.name} has no server "${address}" (servers: ${this.servers.map((s) => s.address).join(', ')})`);
    return server;
  }
}
