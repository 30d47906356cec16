import { Command } from 'commander';
import pkg from '../../package.json' with { type: 'json' };
import { registerConfigCommand } from './config.ts';
import { registerDecodeCommand } from './decode.ts';
import { EXIT, exitCodeFor } from './exit.ts';
import { registerFixturesCommand } from './fixtures.ts';
import { registerListCommand } from './list.ts';
import { registerLoadCommand } from './load.ts';
import { registerRunCommand } from './run.ts';
// The composition root: the CLI is the one place the live server and the artifact tools (layers above lab/) are wired in.
import { registerServeCommand } from '../../live/serve-command.ts';
import { registerToolCommands } from '../../tools/cli/register.ts';

/**
 * The arr-lab command line. Each command lives in its own module and registers itself here; an
 * action sets `process.exitCode` (EXIT) and throws InputError for input the user can fix, which
 * exits 2 like commander's own option errors (exit.ts).
 */
const program = new Command()
  .name('arr-lab')
  .description('Fault-injection lab for IIS Application Request Routing: reproduce 502.3 / 502.4 on loopback')
  .version(pkg.version, '-V, --version')
  // Set before the commands are added: they inherit it, so every option error reaches exitCodeFor.
  .exitOverride()
  .showHelpAfterError();

registerRunCommand(program);
registerListCommand(program);
registerConfigCommand(program);
registerDecodeCommand(program);
registerFixturesCommand(program);
registerLoadCommand(program);
registerServeCommand(program);
registerToolCommands(program);

// `arr-lab list | head`: the reader left; that is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? EXIT.passed);
  throw err;
});

if (process.argv.length <= 2) {
  // Bare `arr-lab` is a request for help, not a mistake.
  program.outputHelp();
  process.exitCode = EXIT.passed;
} else {
  try {
    await program.parseAsync();
  } catch (err) {
    process.exitCode = exitCodeFor(err);
  }
}
