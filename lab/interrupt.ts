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

/**
 * A promise that rejects with Interrupted once `signal` aborts and never settles without one;
 * `dispose` lets go of the signal when the run is over (one signal serves every scenario of a run).
 */
export function untilAborted(signal: InterruptSignal | undefined): { aborted: Promise<never>; dispose: () => void } {
  let listener: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    if (!signal) return;
    if (signal.aborted) return reject(new Interrupted());
    listener = () => reject(new Interrupted());
    signal.addEventListener('abort', listener, { once: true });
  });
  // Raced, not awaited alone: a rejection nobody raced must not count as unhandled.
  aborted.catch(() => {});
  return { aborted, dispose: () => listener && signal?.removeEventListener('abort', listener) };
}
