import type { ServerRuntime } from '../server-state.ts';
import { lowest, type Balancer } from './balancer.ts';

/**
 * "Weighted total traffic": by bytes of requests and responses; the server with the least data,
 * relative to its weight, gets the next request (TN-LB).
 */
export class WeightedTotalTraffic implements Balancer {
  pick(candidates: readonly ServerRuntime[]): ServerRuntime | undefined {
    return lowest(candidates, (s) => (s.counters.bytesSent + s.counters.bytesReceived) / s.config.weight);
  }
}
