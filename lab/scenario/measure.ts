import { z } from 'zod';

/** A number, or a time with a tolerance: `30000`, `~30000` (scenario tolerance), `30000±500`, `{min, max}`. */
export const measureSchema = z.union([
  z.number(),
  z.string().regex(/^\s*~\s*\d+(\.\d+)?\s*$|^\s*\d+(\.\d+)?\s*(±|\+-)\s*\d+(\.\d+)?\s*$/, 'use 30000, ~30000, 30000±500 or {min, max}'),
  z.object({ min: z.number().optional(), max: z.number().optional() }).strict(),
]);
export type Measure = z.output<typeof measureSchema>;

export function measureHolds(m: Measure, actual: number, tolerance: number): boolean {
  if (typeof m === 'number') return actual === m;
  if (typeof m === 'string') {
    const about = /^\s*~\s*(\d+(?:\.\d+)?)\s*$/.exec(m);
    if (about) return Math.abs(actual - Number(about[1])) <= tolerance;
    const [value, within] = m.split(/±|\+-/).map(Number) as [number, number];
    return Math.abs(actual - value) <= within;
  }
  return (m.min === undefined || actual >= m.min) && (m.max === undefined || actual <= m.max);
}

export function describeMeasure(m: Measure, tolerance: number): string {
  if (typeof m === 'number') return String(m);
  if (typeof m === 'string') return m.trim().startsWith('~') ? `${m.trim().slice(1).trim()}±${tolerance}` : m.replace('+-', '±');
  return `${m.min ?? ''}..${m.max ?? ''}`;
}
