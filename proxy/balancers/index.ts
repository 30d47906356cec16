import type { FarmConfig } from '../farm-config.ts';
import type { Balancer } from './balancer.ts';
import { LeastRequests } from './least-requests.ts';
import { LeastResponseTime } from './least-response-time.ts';
import { RequestHash } from './request-hash.ts';
import { WeightedRoundRobin } from './weighted-round-robin.ts';
import { WeightedTotalTraffic } from './weighted-total-traffic.ts';

/** The three algorithms the 2019 ARR 3 schema declares "no longer supported" (docs/reference.md §1.8). */
export const ARR3_UNSUPPORTED = ['LeastRequests', 'LeastResponseTime', 'WeightedTotalTraffic'] as const;

/**
 * The balancer for a farm's `loadBalancing` settings. With the lab switch
 * `arr3AlgorithmFallback`, the algorithms the 2019 schema calls unsupported fall back to
 * WeightedRoundRobin, as that schema says ARR does; without it they behave as TechNet describes.
 */
export function createBalancer(farm: FarmConfig): { balancer: Balancer; algorithm: string } {
  const lb = farm.loadBalancing;
  let algorithm: string = lb.algorithm;
  if (farm.lab.arr3AlgorithmFallback && (ARR3_UNSUPPORTED as readonly string[]).includes(algorithm)) algorithm = 'WeightedRoundRobin';
  switch (algorithm) {
    case 'LeastRequests':
      return { balancer: new LeastRequests(), algorithm };
    case 'LeastResponseTime':
      return { balancer: new LeastResponseTime(lb.leastResponseTimePeriod), algorithm };
    case 'WeightedTotalTraffic':
      return { balancer: new WeightedTotalTraffic(), algorithm };
    case 'RequestHash':
      if (!lb.hashServerVariable) throw new Error('loadBalancing algorithm RequestHash needs hashServerVariable');
      return { balancer: new RequestHash(lb.hashServerVariable, lb.queryStringNames), algorithm };
    default:
      return { balancer: new WeightedRoundRobin(), algorithm: 'WeightedRoundRobin' };
  }
}
