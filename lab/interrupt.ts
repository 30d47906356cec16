/**
 * How a run learns it was interrupted: an AbortSignal whose reason is the signal's name
 * (`SIGINT`, `SIGTERM`). The lab stops sending, stops its hosts and writes its record; the CLI
 * decides the exit code.
 */
export type InterruptSignal = AbortSignal;

/** Thrown out of a scenario's steps when the run is interrupted. */
export class Interrupted extends Error {
  override name = 'Interrupted';
}

/** Rejects with Interrupted once `signal` aborts; never settles without one. */
export function untilAborted(signal: InterruptSignal | undefined): Promise<never> {
  const aborted = new Promise<never>((_, reject) => {
    if (!signal) return;
    if (signal.aborted) reject(new Interrupted());
    else signal.addEventListener('abort', () => reject(new Interrupted()), { once: true });
  });
  // Raced, not awaited alone: a rejection nobody raced must not count as unhandled.
  aborted.catch(() => {});
  return aborted;
}
