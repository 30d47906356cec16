/**
 * Evidence levels of docs/reference.md: V verified in a primary Microsoft source,
 * C corroborated by a real capture or decompilation, S secondary (blog, forum), I inferred,
 * U unverified.
 */
export type Evidence = 'V' | 'C' | 'S' | 'I' | 'U';
