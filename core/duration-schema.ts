import { z } from 'zod';
import { parseDuration } from './duration.ts';

/** A nominal duration in a scenario or script: `45s`, `00:00:45`, or milliseconds. */
export const durationSchema = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const parsed = parseDuration(value);
  if (parsed === undefined) {
    ctx.addIssue({ code: 'custom', message: `not a duration: ${JSON.stringify(value)} (use 45s, 1.5m, 00:00:30 or milliseconds)` });
    return z.NEVER;
  }
  return parsed;
});

/** An IIS timeSpan attribute (`00:00:30`); plain numbers are seconds, as in appcmd. */
export const timeSpanSchema = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const parsed = typeof value === 'number' ? value * 1000 : parseDuration(value);
  if (parsed === undefined) {
    ctx.addIssue({ code: 'custom', message: `not a timeSpan: ${JSON.stringify(value)} (use 00:00:30)` });
    return z.NEVER;
  }
  return parsed;
});
