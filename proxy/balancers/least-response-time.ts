import type { ServerRuntime } from '../server-state.ts';
import { lowest, type Balancer, type RoutingContext } from './balancer.ts';

/**
 * "Least response time": the fastest responding server (TN-LB), averaged over
 * `leastResponseTimePeriod` (the window is an inference from the attribute's name). A server with
 * no response in the window counts as fastest, so a new or idle server is tried.
 */
export class LeastResponseTime implements Balancer {
  constructor(private readonly periodMs: number) {}

  pick(candidates: readonly ServerRuntime[], request: RoutingContext): ServerRuntime | undefined {
    return lowest(candidates, (s) => s.averageResponseTime(request.now, this.periodMs) ?? 0);
  }
}
