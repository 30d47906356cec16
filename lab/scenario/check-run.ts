import type { LoggedRequest } from '../../iis/log-records.ts';
import type { ClientResult } from '../client.ts';
import { CONTROLLER_NAME } from '../controller-name.ts';
import type { Lab } from '../lab.ts';
import { checkClient, checkHost, type Check } from './expectations.ts';
import type { StepsRun } from './run-steps.ts';
import type { RequestExpect, Scenario, ScenarioRequest } from './schema.ts';

export interface RequestOutcome {
  id: string;
  expected: string;
  observed: string;
  passed: boolean;
}

/** The verdict on a run: every check, whether all held, and each request's outcome. */
export interface RunVerdict {
  passed: boolean;
  /** Every request's expected and observed outcome, counted: `200×11 503×2`. */
  expected: string;
  observed: string;
  requests: RequestOutcome[];
  checks: Check[];
}

/**
 * Checks a finished run: every host accounted for each request it accepted once, and each
 * request's expectations against what the client saw and what the hosts logged.
 */
export function checkRun(lab: Lab, scenario: Scenario, run: StepsRun): RunVerdict {
  const checks = [...run.checks, ...accounting(lab)];
  // A run cut short is a record, not a verdict: requests it abandoned would fail for that reason alone.
  if (!run.interrupted) checks.push(...run.sent.flatMap(({ request, result }) => evaluate(scenario, request.expect, result, run.records)));
  const passed = !run.interrupted && checks.every((c) => c.pass);
  const requests = run.sent.map(({ request, result: r }) => ({
    id: r.id,
    expected: describeExpected(request.expect),
    observed: describeObserved(r),
    passed: !run.interrupted && checks.every((c) => c.request !== r.id || c.pass),
  }));
  return {
    passed,
    expected: run.sent.length ? tally(requests.map((r) => r.expected)) : describeExpected(firstRequest(scenario)?.expect ?? {}),
    observed: run.sent.length ? tally(requests.map((r) => r.observed)) : '(nothing sent)',
    requests,
    checks,
  };
}

/** Every request a host accepted is in its logs exactly once. */
function accounting(lab: Lab): Check[] {
  return lab.hosts.map((h) => {
    const lost = h.lost ?? 0;
    return {
      request: '-', subject: h.name, field: 'accounted once',
      expected: `${h.accepted - lost} lines${lost ? ` (${h.accepted} accepted, ${lost} lost with the killed host)` : ''}`,
      actual: `${h.records().length} lines`,
      pass: h.accepted - lost === h.records().length && new Set(h.records().map((r) => r.meta.seq)).size === h.records().length,
    };
  });
}

function evaluate(scenario: Scenario, exp: RequestExpect, result: ClientResult, records: Map<string, readonly LoggedRequest[]>): Check[] {
  const id = result.id;
  const of = (host: string) => (records.get(host) ?? []).filter((r) => r.meta.labRequest === id);
  const checks: Check[] = [];
  if (exp.client) checks.push(...checkClient(id, exp.client, result));
  if (exp.proxy) checks.push(...checkHost(id, 'proxy', exp.proxy, of(CONTROLLER_NAME), scenario.timeTolerance));
  for (const [member, e] of Object.entries(exp.members ?? {})) checks.push(...checkHost(id, member, e, of(member), scenario.timeTolerance));
  return checks;
}

function firstRequest(scenario: Scenario): ScenarioRequest | undefined {
  const step = scenario.requests.find((s) => s.kind === 'request');
  return step?.kind === 'request' ? step.request : undefined;
}

/** Outcomes counted in order of first appearance: `200×11 503×2`; a single request reads as itself. */
function tally(outcomes: string[]): string {
  if (outcomes.length === 1) return outcomes[0]!;
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o, (counts.get(o) ?? 0) + 1);
  return [...counts].map(([o, n]) => `${o}×${n}`).join(' ');
}

function describeExpected(exp: RequestExpect): string {
  const c = exp.client;
  if (!c) return '(logs only)';
  if (c.networkError) return `connection error ${c.networkError}`;
  return [c.status !== undefined ? `${c.status}${c.substatus !== undefined && c.substatus !== 0 ? `.${c.substatus}` : ''}` : '', c.errorCode ?? ''].filter(Boolean).join(' ');
}

function describeObserved(r: ClientResult): string {
  if (r.networkError) return `connection error ${r.networkError}`;
  const status = `${r.status}${r.substatus ? `.${r.substatus}` : ''}`;
  return [status, r.errorCode ?? ''].filter(Boolean).join(' ');
}
