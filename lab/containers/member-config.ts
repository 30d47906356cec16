import { z } from 'zod';
import { WINDOWS_NAMES, type WindowsVersion } from '../../iis/windows-versions.ts';

/**
 * What the lab tells a member process in a container: plain data in one environment variable, so
 * the same image serves any member. Timing is shared through the scale and the nominal instant at
 * a wall instant (both processes read the same kernel clock).
 */
export const memberConfigSchema = z
  .object({
    name: z.string().min(1),
    /** The script as written: a parsed one cannot cross a process, so the member process parses it. */
    script: z.unknown(),
    /** Nothing listens on the member's port (refused); a silent member is a netfilter rule instead. */
    offline: z.boolean(),
    /** The member's system drive: bind-mounted at the same path, so record paths need no mapping. */
    root: z.string().startsWith('/'),
    port: z.number().int(),
    controlPort: z.number().int(),
    token: z.string().min(16),
    timeScale: z.number().positive(),
    /** Nominal epoch ms of the lab clock at the wall instant `wallAt` (Date.now()). */
    nominalAt: z.number(),
    wallAt: z.number(),
    freb: z.object({ statusCodes: z.string(), timeTaken: z.number().optional(), maxLogFiles: z.number().int() }),
    windows: z.enum(WINDOWS_NAMES as [WindowsVersion, ...WindowsVersion[]]).optional(),
    /** Parsed by the lab (a timeSpan cannot be parsed twice): the member process takes them as they are. */
    httpSys: z.record(z.string(), z.unknown()).optional(),
    nonPagedPool: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type MemberConfig = z.output<typeof memberConfigSchema>;

export const MEMBER_CONFIG_ENV = 'ARR_LAB_MEMBER';
/** The line the member process prints once it serves: the container's readiness signal. */
export const READY_LINE = 'arr-lab member ready';
