import { join, resolve } from 'node:path';
import { resolveTargets } from '../catalog.ts';
import { runScenario, type ScenarioResult } from '../scenario/run.ts';
import { failures, resultTable } from './tables.ts';

function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}

/** `arr-lab run`: exit code 0 only when every expectation of every scenario held. */
export async function runCommand(targets: string[], opts: { out?: string; timeScale: number; json?: boolean }): Promise<number> {
  const scenarios = await resolveTargets(targets);
  const out = resolve(opts.out ?? join('out', `run-${stamp()}`));
  const results: ScenarioResult[] = [];
  for (const loaded of scenarios) {
    results.push(await runScenario(loaded, { dir: join(out, loaded.scenario.name), timeScale: opts.timeScale }));
  }
  const passed = results.every((r) => r.passed);
  if (opts.json) {
    console.log(JSON.stringify({ out, passed, scenarios: results.map(({ client: _client, ...r }) => r) }, null, 2));
  } else {
    console.log(resultTable(results));
    const failed = failures(results);
    if (failed) console.log(`\nFailed checks:\n${failed}`);
    const nominal = results.reduce((a, r) => a + r.nominalMs, 0);
    const wall = results.reduce((a, r) => a + r.wallMs, 0);
    console.log(
      `\n${results.filter((r) => r.passed).length}/${results.length} scenarios passed; ` +
        `${(nominal / 1000).toFixed(1)} s nominal in ${(wall / 1000).toFixed(2)} s wall; artifacts in ${out}`,
    );
  }
  return passed ? 0 : 1;
}
