import { InvalidArgumentError } from 'commander';
import { parseDuration } from '../../core/duration.ts';

/**
 * Parsers for command-line values, each with its documented range (docs/cli.md), so an option out
 * of range fails at once with exit 2 and the range in the message, before any lab starts.
 */

/** A whole number in [min, max]. */
export function wholeIn(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`);
    }
    return n;
  };
}

/** A number in [min, max]. */
export function numberIn(min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw new InvalidArgumentError(`must be a number from ${min} to ${max}`);
    return n;
  };
}

/** A wall-clock duration (10s, 1m, 00:00:30) in [minMs, maxMs]. */
export function durationIn(minMs: number, maxMs: number, shown: [string, string]) {
  return (value: string): number => {
    const ms = parseDuration(value);
    if (ms === undefined || ms < minMs || ms > maxMs) throw new InvalidArgumentError(`must be a duration from ${shown[0]} to ${shown[1]}, such as 10s, 1m or 00:00:30`);
    return ms;
  };
}

/** Wall seconds per nominal second: below 1/10,000 the lab's own work outweighs the waits; above 1 nothing is gained. */
export const timeScale = numberIn(0.0001, 1);

export const TIME_SCALE_DEFAULT = 0.001;

export function stamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
}
