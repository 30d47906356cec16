import { join, resolve } from 'node:path';
import { InputError } from '../core/input-error.ts';
import { EXIT } from '../lab/cli/exit.ts';
import { watchInterrupts } from '../lab/cli/interrupts.ts';
import { finishRun, startRun } from '../lab/output-folder.ts';
import open from 'open';
import { expectationFacts } from '../lab/decode/catalog-facts.ts';
import { loadCatalog } from '../lab/catalog.ts';
import type { Topology, TopologyInput } from '../lab/topology.ts';
import { loadScenarioFile } from '../lab/scenario/load.ts';
import { loadApplicationHostConfig } from '../proxy/application-host-config.ts';
import { EXERCISES, type Step } from './exercises/catalog.ts';
import type { ServeFlags } from './serve-command.ts';
import { Exercises } from './exercises/session.ts';
import { runSteps } from './exercises/steps.ts';
import { LiveLab, type LiveLabOptions } from './live-lab.ts';
import { serveLiveLab } from './server.ts';
import { teachingFarm } from './teaching-farm.ts';

/**
 * Runs until SIGINT or SIGTERM: then stops the load, the dashboard's connections and every host
 * (each log whole), records the folder, and exits 130 / 143 as every interrupted command does.
 */
export async function serveCommand(scenarioFile: string | undefined, flags: ServeFlags): Promise<number> {
  if (scenarioFile && flags.config) throw new InputError('serve: give a scenario or --config, not both');
  if (flags.farm && !flags.config) throw new InputError('serve: --farm goes with --config');
  if (flags.exercise && (scenarioFile || flags.config)) throw new InputError('serve: exercises run on the teaching farm: no scenario or --config with --exercise');
  if (flags.exercise && !EXERCISES.some((e) => e.name === flags.exercise)) {
    throw new InputError(`serve: no exercise "${flags.exercise}" (${EXERCISES.map((e) => e.name).join(', ')})`);
  }
  let topology: TopologyInput | Topology = teachingFarm();
  let steps: Step[] = [];
  const out = resolve(flags.out ?? join('out', `serve-${new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}`));
  const options: LiveLabOptions = { root: out, timeScale: flags.timeScale, ringSize: flags.ring };
  if (scenarioFile) {
    const loaded = await loadScenarioFile(scenarioFile);
    topology = loaded.topology;
    steps = (loaded.raw as { requests: Step[] }).requests;
    Object.assign(options, { windows: loaded.scenario.windows, freb: loaded.scenario.tracing });
  } else if (flags.config) {
    const farm = loadApplicationHostConfig(flags.config, { farmName: flags.farm });
    const names = farm.servers.map((_, i) => `member${i + 1}`);
    topology = {
      farm: farm.input,
      members: names.map((name) => ({ name })),
      // The customer's addresses resolve to the lab's members, so the farm runs as written.
      resolver: Object.fromEntries(farm.servers.map((s, i) => [s.address, names[i]!])),
    };
  }
  // Every input is checked before the folder is touched; the folder before any lab starts.
  startRun(out);
  options.facts = expectationFacts(await loadCatalog());
  const interrupts = watchInterrupts();
  const live = await LiveLab.start(topology, options);
  const exercises = scenarioFile || flags.config ? undefined : new Exercises();
  const server = await serveLiveLab(live, { port: flags.port, exercises });

  const arr = live.lab.url('/').replace(/\/$/, '');
  if (flags.json) {
    console.log(JSON.stringify({ dashboard: server.dashboard, api: `${server.url}/api`, token: server.token, learnerToken: server.learnerToken, arr, out }));
  } else {
    console.log(`arr-lab serve: ${live.memberNames.length} members behind ARR at ${arr} (time scale ${flags.timeScale}); artifacts in ${out}`);
    console.log(`dashboard (trainer): ${server.dashboard}`);
    console.log(`dashboard (learner): ${server.url}/?token=${server.learnerToken}`);
    console.log('Ctrl-C stops the lab.');
  }
  if (steps.length > 0) void runSteps(live, steps).catch((err) => console.error(`arr-lab serve: the scenario's steps stopped: ${(err as Error).message}`));
  if (flags.exercise) void exercises!.start(flags.exercise, live).catch((err) => console.error(`arr-lab serve: exercise ${flags.exercise}: ${(err as Error).message}`));
  if (flags.open) await open(server.dashboard);

  await new Promise<void>((resolve) => interrupts.signal.addEventListener('abort', () => resolve(), { once: true }));
  await server.close();
  await live.stop();
  // Nothing was cut short: the session ends this way, and every log is whole.
  finishRun(out, 'complete');
  if (!flags.json) console.log(`stopped; every log is complete in ${out}`);
  return interrupts.exitCode(EXIT.passed);
}
