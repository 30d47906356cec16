import type { Balancer } from './balancers/balancer.ts';
import { WeightedRoundRobin } from './balancers/weighted-round-robin.ts';
import type { FarmConfig } from './farm-config.ts';
import { ServerRuntime } from './server-state.ts';

/** A running web farm: its members' runtime state and the balancer that chooses among them. */
export class FarmRuntime {
  readonly servers: ServerRuntime[];
  private readonly balancer: Balancer;

  constructor(readonly config: FarmConfig) {
    this.servers = config.servers.map((s) => new ServerRuntime(s));
    if (config.loadBalancing.algorithm !== 'WeightedRoundRobin') {
      throw new Error(`loadBalancing algorithm ${config.loadBalancing.algorithm} is not modelled yet`);
    }
    this.balancer = new WeightedRoundRobin();
  }

  server(address: string): ServerRuntime | undefined {
    return this.servers.find((s) => s.address === address);
  }

  /** The member for the next request, or undefined when none can take it (502.4). */
  pick(): ServerRuntime | undefined {
    return this.balancer.pick(this.servers.filter((s) => s.routable));
  }
}
