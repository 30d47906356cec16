import { CommanderError } from 'commander';
import { InputError } from '../../core/input-error.ts';

/** The exit codes every command keeps (docs/cli.md). */
export const EXIT = {
  passed: 0,
  /** An expectation, the load accounting or a check did not hold. */
  failed: 1,
  /** Bad input or usage: an option, an argument, a scenario or config file, a folder. */
  usage: 2,
  /** 128 + the signal's number, as shells report it. */
  SIGINT: 130,
  SIGTERM: 143,
} as const;

/** Commander's own exits that are not errors: help and version were asked for. */
const NOT_AN_ERROR = new Set(['commander.helpDisplayed', 'commander.version', 'commander.help']);

/** The exit code for an error a command let escape, after printing what the user needs to see. */
export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    // Commander has already printed its message and the help.
    return NOT_AN_ERROR.has(err.code) ? EXIT.passed : EXIT.usage;
  }
  if (err instanceof InputError) {
    // A subclass's message starts with its file and line; a plain one says who is speaking.
    console.error(err.constructor === InputError ? `arr-lab: ${err.message}` : err.message);
    return EXIT.usage;
  }
  // A defect, not the user's input: say so with the stack so it can be reported.
  console.error(`arr-lab: internal error: ${(err as Error).stack ?? String(err)}`);
  return EXIT.failed;
}
