import { z } from 'zod';
import { scriptSchema } from '../../backends/script.ts';

/**
 * Settings a scenario keeps as written (plain data for the host driver and the manifest; the lab
 * parses them, and a timeSpan must not be parsed twice), validated here so a mistake is reported
 * with the rest of the scenario's.
 */

/** A member's script. */
export const rawScriptSchema = z.array(z.unknown()).optional().transform((value, ctx) => {
  const raw = value ?? [];
  const parsed = scriptSchema.safeParse(raw);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path.map((p) => p as string | number) });
    return z.NEVER;
  }
  return raw;
});

/** A map of settings kept as written, validated by `schema`. */
export function rawValidated(schema: z.ZodType) {
  return z
    .record(z.string(), z.unknown())
    .optional()
    .superRefine((value, ctx) => {
      const parsed = schema.safeParse(value ?? {});
      if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path.map((p) => p as string | number) });
    });
}

