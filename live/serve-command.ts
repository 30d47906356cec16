import { Option, type Command } from 'commander';
import { timeScale, wholeIn } from '../lab/cli/options.ts';
import { EXERCISES } from './exercises/catalog.ts';

export interface ServeFlags {
  config?: string;
  farm?: string;
  port?: number;
  timeScale: number;
  out?: string;
  open?: boolean;
  json?: boolean;
  exercise?: string;
  ring: number;
}

/** `arr-lab serve`: a lab that keeps running, its dashboard and control API on 127.0.0.1. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run a long-lived lab with a web dashboard and control API on 127.0.0.1 (training mode)')
    .argument('[scenario]', 'a scenario file whose farm and members to run (default: the teaching farm); its steps run once at start')
    .option('--config <file>', 'run the farm of a customer\'s applicationHost.config instead (members stand in for its servers)')
    .option('--farm <name>', 'the farm to run when the config file has several')
    .addOption(new Option('--port <n>', 'dashboard and API port (default: any free port)').argParser(wholeIn(1, 65535)))
    .addOption(new Option('--time-scale <x>', 'wall seconds per nominal second (1: real time; 0.1: a 30 s time-out fires in 3 s)').default(0.1).argParser(timeScale))
    .option('--out <dir>', 'artifact folder: new, empty or made by arr-lab before (default: out/serve-<timestamp>)')
    .option('--open', 'open the dashboard in the default browser')
    .option('--json', 'print one JSON line {dashboard, api, token, learnerToken, arr, out} instead of text')
    .addOption(new Option('--exercise <name>', `start with a guided exercise (${EXERCISES.map((e) => e.name).join(', ')})`))
    .addOption(new Option('--ring <n>', 'requests the dashboard keeps to look back on').default(2000).argParser(wholeIn(10, 1_000_000)))
    .action(async (scenario: string | undefined, flags: ServeFlags) => {
      // The lab, its server and the dashboard load only when serve runs: the CLI starts at once.
      const { serveCommand } = await import('./serve.ts');
      process.exitCode = await serveCommand(scenario, flags);
    });
}

