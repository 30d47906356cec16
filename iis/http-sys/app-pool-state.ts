import type { HttpErrReason } from '../httperr-reason.ts';

/**
 * What WAS has done to a member's application pool, and the reason http.sys logs when it answers
 * the pool's requests itself with its canned 503 (docs/reference.md §6.4 [V KB-HTTPERR] for the reasons
 * and their meanings; which pool state gives which reason is the lab's reading [I]):
 *
 * - `Stopped`: an administrator stopped the pool: `Disabled`.
 * - `RapidFailOffline`: rapid-fail protection stopped it after too many worker crashes: `AppOffline`.
 * - `ShuttingDown`: it is being shut down by policy: `AppShutdown`.
 * - `Busy`: the worker process is too busy to take the request: `AppPoolTimer`.
 */
export const APP_POOL_STATES = ['Started', 'Stopped', 'RapidFailOffline', 'ShuttingDown', 'Busy'] as const;
export type AppPoolState = (typeof APP_POOL_STATES)[number];

const REASONS: Record<Exclude<AppPoolState, 'Started'>, HttpErrReason> = {
  Stopped: 'Disabled',
  RapidFailOffline: 'AppOffline',
  ShuttingDown: 'AppShutdown',
  Busy: 'AppPoolTimer',
};

/** The HTTPERR reason of a request to a pool in this state, or undefined when the pool takes it. */
export function unavailableReason(state: AppPoolState): HttpErrReason | undefined {
  return state === 'Started' ? undefined : REASONS[state];
}

/**
 * Rapid-fail protection (`applicationPools/add/failure`): the IIS defaults stop the pool after
 * 5 worker crashes within 5 minutes (`rapidFailProtectionMaxCrashes`, `rapidFailProtectionInterval`)
 * [I: IIS defaults, not in the reference].
 */
export class RapidFailProtection {
  private crashes: number[] = [];

  constructor(
    private readonly maxCrashes = 5,
    private readonly intervalMs = 5 * 60_000,
  ) {}

  /** Notes a crash; true when it trips protection. */
  crashed(at: number): boolean {
    this.crashes = [...this.crashes.filter((t) => at - t < this.intervalMs), at];
    return this.crashes.length >= this.maxCrashes;
  }
}
