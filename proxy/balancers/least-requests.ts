import type { ServerRuntime } from '../server-state.ts';
import { lowest, type Balancer } from './balancer.ts';

/** "Least current request": the server with the fewest requests in flight from ARR (TN-LB). */
export class LeastRequests implements Balancer {
  pick(candidates: readonly ServerRuntime[]): ServerRuntime | undefined {
    return lowest(candidates, (s) => s.counters.currentRequests);
  }
}
