import { z } from 'zod';
import type { LabClock } from '../core/clock.ts';
import { durationSchema } from '../core/duration-schema.ts';
import { labError } from './failure.ts';
import { StaticDirectory, type Endpoint } from './member-directory.ts';

/**
 * What the lab's DNS says about one name. WinHTTP resolves the farm server's address before it
 * connects, under its own ResolveTimeout (docs/reference.md §3.2: "Name resolution ... takes longer than
 * resolve ... timeouts" gives ERROR_WINHTTP_TIMEOUT), so each outcome is scriptable per name:
 *
 * - `nxdomain`: the name does not exist (getaddrinfo ENOTFOUND) -> 12007;
 * - `servfail`: the DNS server failed (EAI_AGAIN). WinHTTP has one error for every resolution
 *   failure, so this is 12007 too [I]; it differs from `nxdomain` only in the raw code;
 * - `timeout`: no answer ever comes, so the proxy's resolve timeout decides -> 12002;
 * - another name (a CNAME): resolve that one instead;
 * - `{answer, delay, fail}`: the same, `delay` (lab clock) before the answer or the failure.
 * A name with no entry resolves to the member of that name at once, as before.
 */
const FAILURES = ['nxdomain', 'servfail', 'timeout'] as const;
type ResolverFailure = (typeof FAILURES)[number];

const hostName = z.string().regex(/^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$/, 'a host name: letters, digits, . and -');

const entrySchema = z.union([
  z.enum(FAILURES).transform((fail) => ({ fail, delay: 0, answer: undefined })),
  hostName.transform((answer) => ({ answer, delay: 0, fail: undefined })),
  z
    .object({ answer: hostName.optional(), delay: durationSchema.default(0), fail: z.enum(FAILURES).optional() })
    .strict()
    .refine((e) => !(e.answer && e.fail), 'an entry either answers or fails, not both'),
], { error: 'use nxdomain, servfail, timeout, another name, or {answer, delay, fail}' });
export type ResolverEntry = { answer?: string | undefined; delay: number; fail?: ResolverFailure | undefined };

/** The resolver script as a scenario writes it: `{member1: {delay: 20s}, ghost: nxdomain}`. */
export const resolverSchema = z
  .record(hostName, entrySchema)
  .superRefine((entries, ctx) => {
    const byName = new Map(Object.entries(entries).map(([k, v]) => [k.toLowerCase(), v]));
    for (const name of Object.keys(entries)) {
      const chain = [name.toLowerCase()];
      for (let next = byName.get(chain[0]!)?.answer; next !== undefined; next = byName.get(next.toLowerCase())?.answer) {
        if (chain.includes(next.toLowerCase())) {
          ctx.addIssue({ code: 'custom', message: `the answers loop: ${[...chain, next.toLowerCase()].join(' -> ')}`, path: [name] });
          break;
        }
        chain.push(next.toLowerCase());
      }
    }
  })
  .default({});
export type ResolverScript = z.input<typeof resolverSchema>;
export type ResolverEntries = z.output<typeof resolverSchema>;

/**
 * The lab's DNS: the members' own names (registered by the host drivers) plus a script of
 * answers, delays and failures that can be replaced while the lab runs. Delays wait on the lab
 * clock and stop when the caller gives up, so an abandoned lookup leaves no timer behind.
 */
export class LabResolver extends StaticDirectory {
  private script = new Map<string, ResolverEntry>();

  constructor(private readonly clock: LabClock) {
    super();
  }

  /** Replaces the script (parsed by whoever took it in: a scenario, the lab's API). */
  setScript(entries: ResolverEntries): void {
    this.script = new Map(Object.entries(entries).map(([k, v]) => [k.toLowerCase(), v]));
  }

  override async locate(address: string, _port?: number, signal?: AbortSignal): Promise<Endpoint> {
    let name = address;
    for (;;) {
      const entry = this.script.get(name.toLowerCase());
      if (!entry) return super.locate(name);
      if (entry.delay > 0) await this.clock.sleep(entry.delay, signal);
      switch (entry.fail) {
        case 'nxdomain':
          throw labError('not-found', `getaddrinfo ENOTFOUND ${address}`, 'ENOTFOUND');
        case 'servfail':
          throw labError('not-found', `getaddrinfo EAI_AGAIN ${address}`, 'EAI_AGAIN');
        case 'timeout':
          return noAnswer(signal);
      }
      if (entry.answer === undefined) return super.locate(name);
      name = entry.answer;
    }
  }
}

/** A query nobody answers: settles only when the caller gives up. */
function noAnswer(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (!signal) return;
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
