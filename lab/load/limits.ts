/**
 * The ranges of a load run, the same from a scenario's `load:` section and from the command line
 * (docs/cli.md). Every connection is a socket on each host of the lab, so a thousand is already
 * far past what a laptop reproduction needs; the amount and the duration keep a run bounded.
 */
export const LOAD_LIMITS = {
  connections: 1000,
  amount: 10_000_000,
  /** Wall ms. */
  minDurationMs: 100,
  maxDurationMs: 24 * 3_600_000,
  /** Requests per second. */
  minRate: 1,
  maxRate: 1_000_000,
} as const;
