import { z } from 'zod';
import { formatTimeSpan, parseDuration } from './duration.ts';

/**
 * The longest nominal wait a scenario or script may ask for (a sleep, a wait step, a DNS delay):
 * a day. Longer waits model nothing the lab reproduces, and at real-time scale they would pass
 * Node's timer limit (about 24.8 days) and fire at once.
 */
export const MAX_DURATION_MS = 24 * 3_600_000;

/**
 * The longest IIS timeSpan the lab takes: 30 days, the largest range in the ARR schema (affinity
 * timeout). Settings with a narrower IIS range check it too (proxy/farm-config.ts).
 */
export const MAX_TIMESPAN_MS = 30 * 24 * 3_600_000;

const outOfRange = (max: number) => `out of range: 0 to ${formatTimeSpan(max)}`;

/** A nominal duration in a scenario or script: `45s`, `00:00:45`, or milliseconds; 0 to a day. */
export const durationSchema = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const parsed = parseDuration(value);
  if (parsed === undefined) {
    ctx.addIssue({ code: 'custom', message: `not a duration: ${JSON.stringify(value)} (use 45s, 1.5m, 00:00:30 or milliseconds)` });
    return z.NEVER;
  }
  if (parsed > MAX_DURATION_MS) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is ${outOfRange(MAX_DURATION_MS)} (a day)` });
    return z.NEVER;
  }
  return parsed;
});

/** An IIS timeSpan attribute (`00:00:30`); plain numbers are seconds, as in appcmd; 0 to 30 days. */
export const timeSpanSchema = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const parsed = typeof value === 'number' ? (Number.isFinite(value) && value >= 0 ? value * 1000 : undefined) : parseDuration(value);
  if (parsed === undefined) {
    ctx.addIssue({ code: 'custom', message: `not a timeSpan: ${JSON.stringify(value)} (use 00:00:30)` });
    return z.NEVER;
  }
  if (parsed > MAX_TIMESPAN_MS) {
    ctx.addIssue({ code: 'custom', message: `${JSON.stringify(value)} is ${outOfRange(MAX_TIMESPAN_MS)}` });
    return z.NEVER;
  }
  return parsed;
});
