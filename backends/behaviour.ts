import type { z } from 'zod';
import type { HostRequest } from '../iis/host-request.ts';

/**
 * A behaviour is one thing a member page does to a request: sleep, respond, close the
 * connection... A script composes them ("sleep 45 s, then respond 200"). Each behaviour lives in
 * its own file under behaviours/, names its options as a zod schema (so TypeScript, YAML and the
 * control API share one validation), and is registered by name in behaviours/index.ts.
 */
/** `'end'`: the page is done; `'next'` (or nothing, so a wait can be returned as it is): the next step runs. */
export type BehaviourResult = 'next' | 'end' | void;

export interface Behaviour<S extends z.ZodType = z.ZodType> {
  name: string;
  /** One line for `arr-lab list` and the README. */
  summary: string;
  options: S;
  /**
   * The page leaves the request body unread while a rule holding this step runs. Otherwise the
   * host drains the body (as a page that reads and discards it), so a sender never blocks.
   */
  leavesBodyUnread?: true;
  /** A step that finishes at once may answer without a promise (the page then takes no extra turn). */
  run(request: HostRequest, options: z.output<S>): BehaviourResult | Promise<BehaviourResult>;
}

export function defineBehaviour<S extends z.ZodType>(behaviour: Behaviour<S>): Behaviour<S> {
  return behaviour;
}
