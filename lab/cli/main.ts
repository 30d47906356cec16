import { Command, InvalidArgumentError, Option } from 'commander';
import { behaviours } from '../../backends/behaviours/index.ts';
import { loadCatalog } from '../catalog.ts';
import { ScenarioError } from '../scenario/load.ts';
import { registerConfigCommand } from './config.ts';
import { registerDecodeCommand } from './decode.ts';
import { registerFixturesCommand } from './fixtures.ts';
import { registerLoadCommand } from './load.ts';
import { runCommand } from './run.ts';
import { scenarioTable } from './tables.ts';

function positive(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

const program = new Command()
  .name('arr-lab')
  .description('Fault-injection lab for IIS Application Request Routing: reproduce 502.3 / 502.4 on loopback')
  .showHelpAfterError();

program
  .command('run')
  .description('run scenarios (files, suite names or scenario names) and check their expectations')
  .argument('[targets...]', 'scenario files, suite names (seeds, all) or scenario names', ['seeds'])
  .option('--out <dir>', 'artifact folder (default: out/run-<timestamp>)')
  .addOption(new Option('--time-scale <x>', 'wall seconds per nominal second (1 = real time)').default(0.001).argParser(positive))
  .option('--json', 'print the results as JSON instead of a table')
  .action(async (targets: string[], opts: { out?: string; timeScale: number; json?: boolean }) => {
    process.exitCode = await runCommand(targets, opts);
  });

program
  .command('list')
  .description('list the catalog: scenarios with their suites and one-line description')
  .option('--behaviours', 'list the member behaviours a script can use instead')
  .action(async (opts: { behaviours?: boolean }) => {
    if (opts.behaviours) {
      for (const b of behaviours) console.log(`${b.name.padEnd(24)} ${b.summary}`);
      return;
    }
    console.log(scenarioTable(await loadCatalog()));
  });

registerConfigCommand(program);
registerDecodeCommand(program);
registerFixturesCommand(program);
registerLoadCommand(program);

try {
  await program.parseAsync();
} catch (err) {
  console.error(err instanceof ScenarioError ? err.message : `arr-lab: ${(err as Error).message}`);
  process.exitCode = 2;
}
