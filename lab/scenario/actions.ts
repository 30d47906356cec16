import type { Availability } from '../../proxy/farm-config.ts';
import type { Fault } from '../containers/faults.ts';
import type { Lab } from '../lab.ts';
import { slowloris } from '../slowloris.ts';
import { slowReader } from '../slow-reader.ts';
import { slowUpload } from '../slow-upload.ts';
import { describeMeasure, measureHolds, type Check } from './expectations.ts';
import type { Measure, ScenarioAction } from './schema.ts';

/**
 * Runs one action step of a scenario against a running lab. Expectation actions return their
 * checks, taken at that instant; the others return none. `step` names the step in the checks.
 */
export async function performAction(
  lab: Lab,
  action: ScenarioAction,
  step: string,
  tolerance: number,
): Promise<Check[]> {
  // What fell due during the wait (a health test, a page's sleep) finishes before the next step.
  if (action.wait !== undefined) {
    await lab.clock.sleep(action.wait);
    await lab.settle();
  }
  if (action.settle) await lab.settle();
  for (const [address, availability] of Object.entries(action.availability ?? {})) lab.controller.setAvailability(address, availability as Availability);
  for (const [address, health] of Object.entries(action.health ?? {})) lab.controller.setHealthy(address, health === 'healthy');
  for (const [member, script] of Object.entries(action.script ?? {})) await lab.member(member).setScript(script);
  for (const [member, online] of Object.entries(action.online ?? {})) await lab.member(member).setOnline(online);
  for (const member of action.crash ?? []) await lab.member(member).crashWorker();
  for (const [member, state] of Object.entries(action.appPool ?? {})) await lab.member(member).setAppPool(state);
  for (const [member, mb] of Object.entries(action.leak ?? {})) await lab.member(member).setLeak(mb);
  for (const [member, fault] of Object.entries(action.fault ?? {})) await realFault(lab, member).fault!(fault as Fault);
  for (const member of action.heal ?? []) await realFault(lab, member).heal!();
  if (action.timeout !== undefined) lab.controller.setProtocolTimeout(action.timeout);
  for (const [member, offline] of Object.entries(action.offline ?? {})) await lab.member(member).setOffline(offline);
  for (const [name, settings] of Object.entries(action.httpSys ?? {})) await lab.host(name).setHttpSys(settings ?? {});
  if (action.slowloris) await slowloris(lab, action.slowloris.connections, action.slowloris.interval);
  if (action.slowUpload) await slowUpload(lab, action.slowUpload);
  if (action.slowReader) await slowReader(lab, action.slowReader);
  return [...farmChecks(lab, action, step, tolerance), ...eventChecks(lab, action, step), ...connectionChecks(lab, action, step)];
}

function realFault(lab: Lab, name: string) {
  const member = lab.member(name);
  if (!member.fault || !member.heal) throw new Error(`member ${name} runs in this process: real faults need runtime: containers`);
  return member;
}

function farmChecks(lab: Lab, action: ScenarioAction, step: string, tolerance: number): Check[] {
  const checks: Check[] = [];
  const servers = lab.controller.servers();
  for (const [address, expected] of Object.entries(action.expectFarm ?? {})) {
    const subject = `farm ${address}`;
    const server = servers.find((s) => s.address.toLowerCase() === address.toLowerCase());
    if (!server) {
      checks.push({ request: step, subject, field: 'server', expected: 'in the farm', actual: 'absent', pass: false });
      continue;
    }
    for (const field of ['availability', 'state', 'healthy'] as const) {
      if (expected[field] !== undefined) {
        checks.push({ request: step, subject, field, expected: String(expected[field]), actual: String(server[field]), pass: expected[field] === server[field] });
      }
    }
    for (const [counter, want] of Object.entries(expected.counters ?? {})) {
      const actual = server.counters[counter as keyof typeof server.counters];
      const m = want as Measure;
      checks.push({ request: step, subject, field: counter, expected: describeMeasure(m, tolerance), actual: String(Math.round(actual)), pass: measureHolds(m, Math.round(actual), tolerance) });
    }
  }
  return checks;
}

function eventChecks(lab: Lab, action: ScenarioAction, step: string): Check[] {
  if (!action.expectEvents) return [];
  const show = (list: { id: number; server?: string | undefined }[]) => list.map((e) => `${e.id}${e.server ? ` ${e.server}` : ''}`).join(', ') || '(none)';
  const actual = lab.controller.events().map((e) => ({ id: e.id, server: e.server }));
  const expected = action.expectEvents;
  const pass = actual.length === expected.length && expected.every((e, i) => e.id === actual[i]!.id && (e.server === undefined || e.server === actual[i]!.server));
  return [{ request: step, subject: 'event log', field: 'events', expected: show(expected), actual: show(actual), pass }];
}

function connectionChecks(lab: Lab, action: ScenarioAction, step: string): Check[] {
  const checks: Check[] = [];
  for (const [hostName, reasons] of Object.entries(action.expectConnections ?? {})) {
    const host = lab.hosts.find((h) => h.name === hostName);
    const seen = host?.connectionEvents() ?? {};
    for (const [reason, count] of Object.entries(reasons)) {
      const actual = seen[reason] ?? 0;
      checks.push({ request: step, subject: hostName, field: `HTTPERR ${reason}`, expected: String(count), actual: String(actual), pass: actual === count });
    }
  }
  return checks;
}
