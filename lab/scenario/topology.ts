import type { Topology } from '../lab.ts';
import type { LoadedScenario } from './load.ts';

/** The lab a scenario asks for, with its settings as written (the lab parses them once). */
export function topologyOf(loaded: LoadedScenario): Topology {
  const { scenario } = loaded;
  const raw = loaded.raw as { farm?: Record<string, unknown> };
  return {
    farm: loaded.farmFromXml?.input ?? raw.farm,
    members: scenario.members.map((m) => ({ name: m.name, offline: m.offline, script: m.script, httpSys: m.httpSys, nonPagedPool: m.nonPagedPool })),
    resolver: scenario.resolver,
    controller: scenario.controller,
  };
}
