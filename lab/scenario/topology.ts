import { topologyFrom, type Topology, type TopologyInput } from '../topology.ts';
import type { ScenarioFarmXml } from './farm-xml.ts';
import type { Scenario } from './schema.ts';

/**
 * The lab a scenario asks for: the settings the scenario schema parsed, taken as they are (the lab
 * does not parse them again), and as written (a farm read from applicationHost.config as the
 * loader understood it), for the manifest and a recorded session.
 */
export function scenarioTopology(scenario: Scenario, raw: unknown, farmFromXml: ScenarioFarmXml | undefined): Topology {
  const written = raw as TopologyInput;
  return topologyFrom(
    { farm: scenario.farm, members: scenario.members, controller: scenario.controller, resolver: scenario.resolver },
    {
      ...(farmFromXml || written.farm ? { farm: farmFromXml?.input ?? written.farm } : {}),
      members: written.members,
      ...(written.controller ? { controller: written.controller } : {}),
      ...(written.resolver ? { resolver: written.resolver } : {}),
    },
  );
}
