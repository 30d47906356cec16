import { max, median, min, quantile } from 'simple-statistics';

/** A figure over several rounds: its median and its spread. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function spread(values: number[]): Spread {
  if (values.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  return { median: median(values), min: min(values), max: max(values), n: values.length };
}

/** Percentiles of one sample set (linear interpolation between ranks). */
export function percentile(values: number[], p: number): number {
  return values.length === 0 ? NaN : quantile(values, p);
}

export function num(x: number, digits = 0): string {
  if (!Number.isFinite(x)) return '–';
  return x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** "median (min–max)", the form every table of RESULTS.md uses. */
export function fmt(s: Spread, digits = 0): string {
  if (s.n === 0) return '–';
  if (s.n === 1) return num(s.median, digits);
  return `${num(s.median, digits)} (${num(s.min, digits)}–${num(s.max, digits)})`;
}
