import type { ServerRuntime } from '../server-state.ts';

/** A load-balancing algorithm: picks one of the routable servers for the next request. */
export interface Balancer {
  pick(candidates: readonly ServerRuntime[]): ServerRuntime | undefined;
}
