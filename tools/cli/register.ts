import type { Command } from 'commander';
import { registerDiagnoseCommand } from './diagnose.ts';
import { registerScoreCommand } from './score.ts';

/** The commands of the tools that read artifacts (diagnose, score); the lab's CLI adds them. */
export function registerToolCommands(program: Command): void {
  registerDiagnoseCommand(program);
  registerScoreCommand(program);
}
