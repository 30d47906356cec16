import { z } from 'zod';
import { CONTROLLER_NAME } from '../controller-name.ts';
import type { Lab } from '../lab.ts';
import type { MemberState, NamedHosts, StepContext } from './actions/action.ts';
import { actionByKey, actions } from './actions/index.ts';
import type { Check } from './expectations.ts';

/** An action step as parsed: which action, and its value as that action's schema gave it. */
export interface ScenarioAction {
  key: string;
  value: unknown;
}

/** A step with exactly one key, one of the registered actions (actions/index.ts). */
export const actionSchema = z
  .object(Object.fromEntries(actions.map((a) => [a.key, a.value])))
  .partial()
  .strict()
  .refine((a) => Object.keys(a).length === 1, `an action step has exactly one of: ${actions.map((a) => a.key).join(', ')}`)
  .transform((a): ScenarioAction => {
    const [key, value] = Object.entries(a)[0]!;
    return { key, value };
  });

/** Runs one action step against a running lab; expectation actions return their checks. */
export async function performAction(lab: Lab, action: ScenarioAction, at: StepContext): Promise<Check[]> {
  const entry = actionByKey.get(action.key)!;
  const resume = entry.instant ? lab.clock.pause() : undefined;
  try {
    return (await entry.perform(lab, action.value, at)) ?? [];
  } finally {
    resume?.();
  }
}

/** What the step leaves members as (script, offline). */
export function memberStates(action: ScenarioAction): Record<string, MemberState> {
  return actionByKey.get(action.key)!.leaves?.(action.value) ?? {};
}

/** Actions that act on real hosts: a scenario using one needs `runtime: containers`. */
export const CONTAINER_ACTIONS: readonly string[] = actions.filter((a) => a.containersOnly).map((a) => a.key);

export interface HostName {
  kind: NamedHosts['kind'];
  name: string;
  /** Where, below the step: `['crash', 0, 'member1']` for an item, `['script', 'member1']` for a key. */
  path: (string | number)[];
}

/**
 * The hosts a step names in its action keys, read from the step as written so a name is reported
 * even when the step has other mistakes (several keys, a bad value).
 */
export function namedHosts(step: Record<string, unknown>): HostName[] {
  const out: HostName[] = [];
  for (const [key, value] of Object.entries(step)) {
    const names = actionByKey.get(key)?.names;
    if (!names) continue;
    if (names.in === 'items' && Array.isArray(value)) out.push(...value.map((n, j) => ({ kind: names.kind, name: String(n), path: [key, j, String(n)] })));
    if (names.in === 'keys' && value && typeof value === 'object' && !Array.isArray(value)) out.push(...Object.keys(value).map((n) => ({ kind: names.kind, name: n, path: [key, n] })));
  }
  return out;
}

/** The name must be one of the lab's members (a `host` name may also be the controller's). */
export function namesMember(host: HostName): boolean {
  return host.kind === 'member' || (host.kind === 'host' && host.name !== CONTROLLER_NAME);
}
