import { createHash } from 'node:crypto';
import { unsafeUniformIntDistribution, xoroshiro128plus } from 'pure-rand';
import type { TimeTakenModel } from '../iis/log-records.ts';

/**
 * The modelled spread of `time-taken` in deterministic runs (fixtures), so that logs look like a
 * real farm's instead of landing exactly on the nominal milliseconds: a timeout logs near its
 * limit (DOC-502's sample is 29889 for 30000), a refused or reset connection takes a few
 * milliseconds, a page a little longer than its sleep. Each value comes from the seed, the host
 * and the request's sequence number on that host, so it does not depend on scheduling; another
 * seed changes it, the same seed repeats it. Only `time-taken` of W3SVC lines moves (never the
 * date, time or order of lines): the spread stays well inside a scenario's time tolerance.
 */
export const JITTER_MS = {
  /** ARR's line for a WinHTTP timeout (12002): the limit plus this. */
  timeout: [-140, 40],
  /** A refused connect (12029), or no server (502.4): ARR answers almost at once. */
  immediate: [1, 3],
  /** A reset or cut response (12030, 12152, 12017). */
  reset: [1, 30],
  /** Everything else: a page's own processing on top of its modelled waits. */
  work: [0, 18],
} as const satisfies Record<string, readonly [number, number]>;

function rangeFor(entry: Parameters<TimeTakenModel>[2]): readonly [number, number] {
  const win32 = entry['sc-win32-status'];
  if (win32 === 12002) return JITTER_MS.timeout;
  if (win32 === 12029 || (entry['sc-status'] === 502 && entry['sc-substatus'] === 4)) return JITTER_MS.immediate;
  if (win32 === 12030 || win32 === 12152 || win32 === 12017) return JITTER_MS.reset;
  return JITTER_MS.work;
}

export function seededTimeTaken(seed: number): TimeTakenModel {
  return (host, seq, entry) => {
    const digest = createHash('sha256').update(`${seed}/${host}/${seq}`).digest();
    const rng = xoroshiro128plus(digest.readInt32LE(0));
    const [min, max] = rangeFor(entry);
    return Math.max(0, entry['time-taken'] + unsafeUniformIntDistribution(min, max, rng));
  };
}
