import { z } from 'zod';

/**
 * A count expectation over a load run: `12` (exactly), `>0`, `>=10`, `<5`, `<=5`, and the same
 * with `%` for a share of the whole (`>=90%`).
 */
export interface CountSpec {
  op: '=' | '>' | '>=' | '<' | '<=';
  value: number;
  percent: boolean;
  text: string;
}

const SPEC = /^\s*(>=|<=|>|<|=)?\s*(\d+(?:\.\d+)?)\s*(%)?\s*$/;

export const countSpecSchema = z.union([z.number(), z.string()]).transform((raw, ctx): CountSpec => {
  const text = String(raw);
  const m = SPEC.exec(text);
  if (!m) {
    ctx.addIssue({ code: 'custom', message: `not a count: ${JSON.stringify(raw)} (use 12, >0, >=10, <5 or a share such as >=90%)` });
    return z.NEVER;
  }
  return { op: (m[1] ?? '=') as CountSpec['op'], value: Number(m[2]), percent: m[3] === '%', text: text.trim() };
});

/** Whether `count` out of `total` meets the spec. */
export function meets(spec: CountSpec, count: number, total: number): boolean {
  const x = spec.percent ? (total === 0 ? 0 : (100 * count) / total) : count;
  switch (spec.op) {
    case '=':
      return x === spec.value;
    case '>':
      return x > spec.value;
    case '>=':
      return x >= spec.value;
    case '<':
      return x < spec.value;
    case '<=':
      return x <= spec.value;
  }
}
