import { z } from 'zod';
import { durationSchema } from '../../core/duration-schema.ts';
import { countSpecSchema } from './count-spec.ts';
import { LOAD_LIMITS } from './limits.ts';

/**
 * What a host's logs must show over a whole load run, counted: keys are W3SVC outcomes written
 * as the line reads (`502`, `502 3`, `502 3 12002`: a status, then substatus, then win32 status)
 * or HTTPERR reasons (`Connection_Dropped`); values are count specs (`>0`, `0`, `>=90%`).
 */
const outcomeKey = /^\d{3}( \d+( \d+)?)?$|^[A-Za-z][A-Za-z_/]*$/;
const hostOutcomesSchema = z.record(
  z.string().regex(outcomeKey, 'an outcome: "502", "502 3", "502 3 12002" (W3SVC) or an HTTPERR reason such as Connection_Dropped'),
  countSpecSchema,
);

/** What the client must have seen: status codes, `502.3`, `502.3 0x80072ee2`, or `errors` / `timeouts`. */
const clientOutcomeKey = /^\d{3}(\.\d+( 0x[0-9a-f]{8})?)?$|^(errors|timeouts)$/;
const clientOutcomesSchema = z.record(
  z.string().regex(clientOutcomeKey, 'a client outcome: "200", "502.3", "502.3 0x80072ee2", errors or timeouts'),
  countSpecSchema,
);

export const loadExpectSchema = z
  .object({
    client: clientOutcomesSchema,
    proxy: hostOutcomesSchema,
    members: z.record(z.string(), hostOutcomesSchema),
    /** `balanced`: every request the client sent is accounted for on every host it reached (the default). */
    accounting: z.literal('balanced'),
  })
  .partial()
  .strict();
export type LoadExpect = z.output<typeof loadExpectSchema>;

/**
 * A scenario's `load:` section: the request template is the scenario's one request; autocannon
 * sends it from `connections` connections for `duration` (wall time) or `amount` requests.
 */
export const loadSectionSchema = z
  .object({
    connections: z.number().int().min(1).max(LOAD_LIMITS.connections).default(10),
    /** Wall time the load lasts (load generation is real work: it is not compressed). */
    duration: durationSchema
      .refine((ms) => ms >= LOAD_LIMITS.minDurationMs, `out of range: ${LOAD_LIMITS.minDurationMs} ms to 24 h`)
      .optional(),
    amount: z.number().int().min(1).max(LOAD_LIMITS.amount).optional(),
    /** Overall requests per second (autocannon's overallRate); unset: as fast as answers come. */
    rate: z.number().min(LOAD_LIMITS.minRate).max(LOAD_LIMITS.maxRate).optional(),
    expect: loadExpectSchema.optional(),
  })
  .strict()
  .refine((l) => l.duration === undefined || l.amount === undefined, 'give duration or amount, not both')
  .refine((l) => l.amount === undefined || l.amount >= l.connections, { message: 'amount must be at least connections', path: ['amount'] });
export type LoadSection = z.output<typeof loadSectionSchema>;
