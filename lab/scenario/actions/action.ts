import type { z } from 'zod';
import type { Offline } from '../../host-driver.ts';
import type { Lab } from '../../lab.ts';
import type { Check } from '../expectations.ts';
import type { JsonSchema } from '../json-schema.ts';

/**
 * A scenario action is one thing a scenario (or the live control API, or a training exercise)
 * does to a running lab between requests: a step with one key, `{wait: 5s}`, `{crash: [member1]}`.
 * Each action lives in its own file beside this one and is registered in index.ts; the step
 * schema, the loader's messages, the JSON Schema, the scenario reference and the live API read
 * the registry, so adding an action touches its file and the index, nothing else.
 */
export interface Action<S extends z.ZodType = z.ZodType> {
  /** The step's key: `{<key>: value}`. */
  key: string;
  /** What the value may be (the input side is what a scenario file holds). */
  value: S;
  /** One line for the scenario reference and the editors' hover text. */
  description: string;
  /**
   * Descriptions of the keys inside the value, by their path below it, as the scenario reference
   * addresses them: `connections`, `<name>.state`, `[].id`.
   */
  keys?: Record<string, string>;
  /** The value's JSON Schema where zod's cannot say it (a part validated in two stages). */
  json?: JsonSchema;
  /** The hosts the value names, so that a name the lab does not have is reported before anything runs. */
  names?: NamedHosts;
  /** Acts on real hosts: a scenario using it needs `runtime: containers`. */
  containersOnly?: true;
  /**
   * A change that takes no time in the model (a setting, a member's state): the lab clock is
   * paused while it is made, so its wall time (a helper process starting) never passes as nominal
   * time or lets a timer fire in the middle of it. It must not wait for a timer of the lab clock.
   */
  instant?: true;
  /** What the action leaves members as (script, offline), for views of the lab that show them. */
  leaves?(value: z.output<S>): Record<string, MemberState>;
  /**
   * Does it. Expectation actions return their checks, taken at that instant; the others nothing.
   * The lab's clock is where the step starts; what the action waits for moves it.
   */
  perform(lab: Lab, value: z.output<S>, at: StepContext): Promise<Check[] | void> | Check[] | void;
}

/**
 * Where in an action's value the hosts are named, and what they must be: `member` a farm member,
 * `host` a member or the controller (`arr`), `server` a server address of the farm.
 */
export interface NamedHosts {
  kind: 'member' | 'host' | 'server';
  /** The keys of a map (`{member1: Drain}`) or the items of a list (`[member1]`). */
  in: 'keys' | 'items';
}

export interface MemberState {
  script?: unknown;
  offline?: Offline;
}

export interface StepContext {
  /** How the step is named in its checks: `step 3`, `api`. */
  step: string;
  /** Tolerance, in nominal ms, for `~N` measures. */
  tolerance: number;
}

export function defineAction<S extends z.ZodType>(action: Action<S>): Action<S> {
  return action;
}
