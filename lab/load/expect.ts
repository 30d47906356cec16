import type { Check } from '../scenario/expectations.ts';
import { meets, type CountSpec } from './count-spec.ts';
import type { ClientTally } from './drive.ts';
import type { HostTally } from './log-tally.ts';
import type { LoadExpect } from './section.ts';

/**
 * Checks a load scenario's `load.expect` against what the client counted and what each host's
 * files say. A share (`>=90%`) is of the client's sent requests, or of the host's request lines
 * without the health probes.
 */
export function checkLoad(expect: LoadExpect, client: ClientTally, hosts: ReadonlyMap<string, HostTally>, controller: string): Check[] {
  const checks: Check[] = [];
  for (const [key, spec] of Object.entries(expect.client ?? {})) {
    checks.push(check('client', key, spec, clientCount(client, key), client.sent));
  }
  const sides: [string, Record<string, CountSpec>][] = [
    ...(expect.proxy ? [[controller, expect.proxy] as [string, Record<string, CountSpec>]] : []),
    ...Object.entries(expect.members ?? {}),
  ];
  for (const [host, outcomes] of sides) {
    const tally = hosts.get(host);
    if (!tally) throw new Error(`load.expect names "${host}", which is not a host of this lab`);
    const total = sum(tally.w3svc) + sum(tally.httperr);
    for (const [key, spec] of Object.entries(outcomes)) checks.push(check(host, key, spec, hostCount(tally, key), total));
  }
  return checks;
}

function check(subject: string, field: string, spec: CountSpec, count: number, total: number): Check {
  const share = total === 0 ? 0 : (100 * count) / total;
  return {
    request: 'load', subject, field, expected: spec.text,
    actual: spec.percent ? `${share.toFixed(1)}% (${count} of ${total})` : String(count),
    pass: meets(spec, count, total),
  };
}

/** `200`, `502.3`, `502.3 0x80072ee2` (from the error pages), `errors`, `timeouts`. */
function clientCount(client: ClientTally, key: string): number {
  if (key === 'errors') return client.errors;
  if (key === 'timeouts') return client.timeouts;
  if (/^\d{3}$/.test(key)) return client.statuses[key] ?? 0;
  return Object.entries(client.errorPages).filter(([k]) => k === key || k.startsWith(`${key} `)).reduce((n, [, c]) => n + c, 0);
}

/** A W3SVC outcome prefix (`502`, `502 3`, `502 3 12002`) or an HTTPERR reason. */
function hostCount(tally: HostTally, key: string): number {
  if (/^\d/.test(key)) return Object.entries(tally.w3svc).filter(([k]) => k === key || k.startsWith(`${key} `)).reduce((n, [, c]) => n + c, 0);
  return tally.httperr[key] ?? 0;
}

function sum(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, n) => a + n, 0);
}
