/**
 * Evidence levels of shared/reference/arr-reference.md: V verified in a primary Microsoft source,
 * C corroborated by a real capture or decompilation, S secondary (blog, forum), I inferred,
 * U unverified. Every fact the decoder prints carries one, with the reference's source tag.
 */
export type Evidence = 'V' | 'C' | 'S' | 'I' | 'U';

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
