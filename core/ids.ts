import { randomUUID } from 'node:crypto';
import { xoroshiro128plus, type RandomGenerator } from 'pure-rand';

/** Where the lab gets its GUIDs (X-ARR-LOG-ID, trace activity ids); seeded sources plug in here. */
export interface IdSource {
  /** Lowercase, hyphenated, no braces: the X-ARR-LOG-ID form. */
  guid(): string;
}

export const randomIds: IdSource = { guid: () => randomUUID() };

/** Version-4-shaped GUIDs from a seeded generator: the same seed gives the same sequence. */
export function seededIds(seed: number): IdSource {
  const rng: RandomGenerator = xoroshiro128plus(seed);
  return {
    guid() {
      const bytes = Buffer.alloc(16);
      for (let i = 0; i < 16; i += 4) bytes.writeUInt32BE(rng.unsafeNext() >>> 0, i);
      bytes[6] = (bytes[6]! & 0x0f) | 0x40;
      bytes[8] = (bytes[8]! & 0x3f) | 0x80;
      const h = bytes.toString('hex');
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    },
  };
}
