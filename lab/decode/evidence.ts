import type { Evidence } from '../../core/evidence.ts';

/** Every fact the decoder prints carries an evidence level, with the reference's source tag. */
export type { Evidence };

export const EVIDENCE_LABEL: Record<Evidence, string> = {
  V: 'verified in a Microsoft source',
  C: 'corroborated by a real capture or decompilation',
  S: 'secondary source',
  I: 'inferred',
  U: 'unverified',
};

/** A statement with where it comes from. */
export interface Cited {
  text: string;
  evidence: Evidence;
  /** Source tag(s) of the reference's §0 index, e.g. `W32-WINHTTP` or `DOC-502`. */
  source: string;
}
