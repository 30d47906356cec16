import { randomUUID } from 'node:crypto';

/** Where the lab gets its GUIDs (X-ARR-LOG-ID, activity ids); seeded sources plug in here. */
export interface IdSource {
  /** Lowercase, hyphenated, no braces: the X-ARR-LOG-ID form. */
  guid(): string;
}

export const randomIds: IdSource = { guid: () => randomUUID() };
