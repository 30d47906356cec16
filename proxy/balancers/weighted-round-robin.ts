import type { ServerRuntime } from '../server-state.ts';
import { lowest, type Balancer } from './balancer.ts';

/**
 * "By number of requests and normalized weight" (TN-LB): the next request goes to the server
 * whose share of requests is furthest behind its weight; ties go to the earlier server. Weights
 * 200/100 give A A B A A B ...; 100/100, 5/5 and 1/1 are the same.
 */
export class WeightedRoundRobin implements Balancer {
  private readonly sent = new WeakMap<ServerRuntime, number>();

  pick(candidates: readonly ServerRuntime[]): ServerRuntime | undefined {
    const best = lowest(candidates, (s) => ((this.sent.get(s) ?? 0) + 1) / s.config.weight);
    if (best) this.sent.set(best, (this.sent.get(best) ?? 0) + 1);
    return best;
  }
}
