import { z } from 'zod';
import { faultClassSchema } from '../../lab/diagnosis/taxonomy.ts';

/**
 * What a scored tool prints on stdout for one bundle (docs/tools.md, "answer protocol"): a fault
 * class for the bundle, for its requests, or both. A request is named by ARR's log line
 * (`file:line` relative to the bundle folder, the index's `key`) or by its X-ARR-LOG-ID. Other
 * fields are ignored, so `arr-lab diagnose --json` is an answer as it stands.
 */
export const answerSchema = z.object({
  bundle: z.union([faultClassSchema, z.object({ class: faultClassSchema }).loose()]).optional(),
  requests: z
    .array(
      z
        .object({ key: z.string().optional(), arrLogId: z.string().optional(), class: faultClassSchema })
        .loose()
        .refine((r) => r.key !== undefined || r.arrLogId !== undefined, 'a request answer names key or arrLogId'),
    )
    .optional(),
}).loose();

export type Answer = z.output<typeof answerSchema>;

export function bundleClassOf(answer: Answer): string | undefined {
  return typeof answer.bundle === 'string' ? answer.bundle : answer.bundle?.class;
}

/** Reads a tool's stdout: the last JSON document in it (tools may log before their answer). */
export function parseAnswer(stdout: string): { answer: Answer } | { error: string } {
  const text = stdout.trim();
  const start = text.startsWith('{') ? 0 : text.lastIndexOf('\n{') + 1;
  if (text === '') return { error: 'no output' };
  let json: unknown;
  try {
    json = JSON.parse(text.slice(start));
  } catch (err) {
    return { error: `stdout is not a JSON answer: ${(err as Error).message}` };
  }
  const parsed = answerSchema.safeParse(json);
  if (!parsed.success) return { error: parsed.error.issues.map((i) => `${i.path.join('.') || '(answer)'}: ${i.message}`).join('; ') };
  return { answer: parsed.data };
}
