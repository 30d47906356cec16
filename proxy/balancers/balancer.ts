import type { ServerRuntime } from '../server-state.ts';

/** What an algorithm may look at in the request being routed. */
export interface RoutingContext {
  /** An IIS server variable of the request (REMOTE_ADDR, QUERY_STRING, HTTP_HOST, HTTP_<HEADER> ...). */
  variable(name: string): string | undefined;
  /** The query string's values by name. */
  query: URLSearchParams;
  /** Nominal now, ms. */
  now: number;
}

/** A load-balancing algorithm: picks one of the servers that may take the request. */
export interface Balancer {
  pick(candidates: readonly ServerRuntime[], request: RoutingContext): ServerRuntime | undefined;
}

/** The candidate with the lowest score; ties go to the server listed first in the farm. */
export function lowest(candidates: readonly ServerRuntime[], score: (s: ServerRuntime) => number): ServerRuntime | undefined {
  let best: ServerRuntime | undefined;
  let bestScore = Infinity;
  for (const server of candidates) {
    const value = score(server);
    if (value < bestScore) {
      best = server;
      bestScore = value;
    }
  }
  return best;
}
