import { EXIT } from './exit.ts';

type Handled = 'SIGINT' | 'SIGTERM';

/**
 * Ctrl-C and SIGTERM for a command that runs labs: the first one aborts the returned signal so the
 * command stops sending, stops its labs (which flush every log) and writes its record and summary;
 * `exitCode()` then gives 130 / 143. A second one exits at once: the logs' exit hook still writes
 * every buffered line whole.
 */
export function watchInterrupts(): { signal: AbortSignal; exitCode: (otherwise: number) => number } {
  const controller = new AbortController();
  const on = (name: Handled) => {
    if (controller.signal.aborted) process.exit(EXIT[name]);
    process.stderr.write(`\narr-lab: ${name}: stopping — finishing the record (again to quit at once)\n`);
    controller.abort(name);
  };
  process.on('SIGINT', () => on('SIGINT'));
  process.on('SIGTERM', () => on('SIGTERM'));
  return {
    signal: controller.signal,
    exitCode: (otherwise) => (controller.signal.aborted ? EXIT[controller.signal.reason as Handled] : otherwise),
  };
}
