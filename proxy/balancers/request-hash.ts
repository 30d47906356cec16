import { createHash } from 'node:crypto';
import type { ServerRuntime } from '../server-state.ts';
import type { Balancer, RoutingContext } from './balancer.ts';

/**
 * "Server variable hash" and "query string hash" (TN-LB): `RequestHash` hashes the value of
 * `hashServerVariable`; with `QUERY_STRING` and `queryStringNames`, the values of the named
 * parameters, concatenated. The same value always lands on the same server while the set of
 * candidates is unchanged. ARR's hash function is not documented; this one is MD5 modulo the
 * number of candidates, in farm order.
 */
export class RequestHash implements Balancer {
  private readonly names: string[];

  constructor(
    private readonly variable: string,
    queryStringNames: string | undefined,
  ) {
    this.names = (queryStringNames ?? '').split(',').map((n) => n.trim()).filter(Boolean);
  }

  key(request: RoutingContext): string {
    if (this.variable.toUpperCase() === 'QUERY_STRING' && this.names.length > 0) {
      return this.names.map((n) => request.query.get(n) ?? '').join('');
    }
    return request.variable(this.variable) ?? '';
  }

  pick(candidates: readonly ServerRuntime[], request: RoutingContext): ServerRuntime | undefined {
    if (candidates.length === 0) return undefined;
    const digest = createHash('md5').update(this.key(request)).digest();
    return candidates[digest.readUInt32BE(0) % candidates.length];
  }
}
