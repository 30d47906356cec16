import { z } from 'zod';
import { timeSpanSchema } from '../../core/duration-schema.ts';

/**
 * The kernel's nonpaged pool as http.sys sees it (docs/reference.md §6.4-6.5: below 20 MB free, http.sys
 * stops receiving new connections and logs Connections_Refused [V KB-HTTPERR]). The pool's size,
 * what a connection and a request cost, and the leak are the lab's model [I]: a driver that leaks
 * (the seed case's antivirus filter) is scripted as `leakMB` (at once) or `leakMBPerMinute`.
 */
export const nonPagedPoolSchema = z
  .object({
    sizeMB: z.number().min(20).default(256),
    perConnectionKB: z.number().min(0).default(8),
    perRequestKB: z.number().min(0).default(4),
    leakMB: z.number().min(0).default(0),
    leakMBPerMinute: z.number().min(0).default(0),
    /** How often http.sys writes the count of refused connections: 5 s apart in a real capture (docs/reference.md §6.4 [C]). */
    refusedReportInterval: timeSpanSchema.default(5_000),
  })
  .strict();

export type NonPagedPoolSettings = z.output<typeof nonPagedPoolSchema>;

export const NON_PAGED_POOL_DEFAULTS: NonPagedPoolSettings = nonPagedPoolSchema.parse({});

export const REFUSE_BELOW_MB = 20;

export class NonPagedPool {
  private leakedAt: number;
  private leaked: number;

  constructor(
    private settings: NonPagedPoolSettings,
    now: number,
  ) {
    this.leaked = settings.leakMB;
    this.leakedAt = now;
  }

  /** A new leak level (MB) from now on: the scripted driver leaks more, or is unloaded (0). */
  setLeak(mb: number, now: number): void {
    this.leaked = mb;
    this.leakedAt = now;
  }

  leak(now: number): number {
    return this.leaked + (this.settings.leakMBPerMinute * (now - this.leakedAt)) / 60_000;
  }

  freeMB(now: number, connections: number, requests: number): number {
    const used = (connections * this.settings.perConnectionKB + requests * this.settings.perRequestKB) / 1024;
    return this.settings.sizeMB - this.leak(now) - used;
  }

  /** Whether http.sys refuses a new connection now. */
  refuses(now: number, connections: number, requests: number): boolean {
    return this.freeMB(now, connections + 1, requests) < REFUSE_BELOW_MB;
  }

  get reportInterval(): number {
    return this.settings.refusedReportInterval;
  }
}
