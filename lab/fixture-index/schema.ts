import { z } from 'zod';
import { diagnosisSchema, faultClassSchema } from '../diagnosis/taxonomy.ts';

/**
 * The index `arr-lab fixtures` writes at the root of its output (`index.json`), and from the same
 * zod schema its JSON Schema (`index.schema.json`), so a tool in any language can validate it.
 * A bundle's paths are relative to its folder (`<root>/<name>/`) and use `/`.
 */

/** A line (or a whole file) that proves a label, with what it shows. */
export const evidenceSchema = z
  .object({
    file: z.string().min(1),
    /** 1-based; absent when the whole file is the evidence (a FREB trace). */
    line: z.number().int().min(1).optional(),
    shows: z.string().min(1),
  })
  .strict();

export const requestLabelSchema = z
  .object({
    /** The lab's request id within the bundle (client order). */
    id: z.string().min(1),
    /**
     * How a tool names the request in its answer: the controller's log line, `file:line` relative
     * to the bundle folder (a W3SVC line, or an HTTPERR line when http.sys ended it).
     */
    key: z.string().min(1),
    /** The X-ARR-LOG-ID ARR gave the request (FREB on both sides), when it was routed. */
    arrLogId: z.string().optional(),
    class: faultClassSchema,
    /** What the client saw: `502.3 0x80072ee2`, `200`, `connection error UND_ERR_SOCKET`. */
    client: z.string(),
    evidence: z.array(evidenceSchema),
  })
  .strict();

export const fileEntrySchema = z
  .object({
    path: z.string().min(1),
    /** The host folder (`arr` is the controller), or `-` for bundle-level files. */
    host: z.string().min(1),
    kind: z.enum(['w3svc', 'httperr', 'freb', 'events', 'winhttp', 'manifest', 'report', 'other']),
    lines: z.number().int().min(0),
    /** W3SVC and HTTPERR files: the log entries (lines that are not `#` directives). */
    entries: z.number().int().min(0).optional(),
    bytes: z.number().int().min(0),
  })
  .strict();

export const bundleSchema = z
  .object({
    /** The bundle folder under the root; also the scenario name. */
    name: z.string().min(1),
    suites: z.array(z.string()),
    /** `tuning` or `held-out` (docs/tools.md, how the sets are made). */
    set: z.enum(['tuning', 'held-out']),
    seed: z.number().int(),
    /** Byte-identical for the same seed (load bundles are not: connections interleave as scheduled). */
    deterministic: z.boolean(),
    windows: z.string(),
    diagnosis: diagnosisSchema,
    passed: z.boolean(),
    files: z.array(fileEntrySchema),
    requests: z.array(requestLabelSchema),
    /** Lines no request caused that still prove the fault: connection-level HTTPERR lines, events. */
    connectionEvidence: z.array(evidenceSchema),
  })
  .strict();

export const fixtureIndexSchema = z
  .object({
    format: z.literal('arr-lab-fixtures/1'),
    seed: z.number().int(),
    taxonomy: z.array(z.object({ id: faultClassSchema, title: z.string() }).strict()),
    bundles: z.array(bundleSchema),
    totals: z
      .object({
        bundles: z.number().int(),
        requests: z.number().int(),
        failingRequests: z.number().int(),
        /** W3SVC and HTTPERR entries over every bundle (directive lines not counted). */
        logEntries: z.number().int(),
        classes: z.array(faultClassSchema),
      })
      .strict(),
  })
  .strict();

export type Evidence = z.output<typeof evidenceSchema>;
export type RequestLabel = z.output<typeof requestLabelSchema>;
export type FileEntry = z.output<typeof fileEntrySchema>;
export type Bundle = z.output<typeof bundleSchema>;
export type FixtureIndex = z.output<typeof fixtureIndexSchema>;

export function fixtureIndexJsonSchema(): unknown {
  return { ...z.toJSONSchema(fixtureIndexSchema, { target: 'draft-2020-12' }), title: 'arr-lab fixture index' };
}
