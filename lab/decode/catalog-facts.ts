import type { LoadedScenario } from '../scenario/load.ts';
import type { HostExpect } from '../scenario/schema.ts';

/**
 * Every code a catalog scenario expects, as flat facts: which scenario produces which value where.
 * The decoder finds "which scenarios produce this code" here, so the answer follows the catalog
 * instead of a hand-kept list. A scenario's expectations are what its run checks and holds.
 */
export interface ExpectFact {
  scenario: string;
  /** 1-based position of the request among the scenario's steps (`requests`: requests and actions). */
  step: number;
  /** `client`, `proxy` or a member name. */
  subject: string;
  /** Where the value is read: the detailed error page, a W3SVC line or an HTTPERR line. */
  source: 'page' | 'W3SVC' | 'HTTPERR';
  field: 'status' | 'Error Code' | 'sc-status' | 'sc-win32-status' | 's-reason';
  /** `502.3` for a status with its substatus, `502` without; the other fields as written. */
  value: string;
}

function withSub(status: number | string | undefined, substatus: number | undefined): string | undefined {
  if (status === undefined) return undefined;
  return substatus === undefined ? String(status) : `${status}.${substatus}`;
}

function hostFacts(host: HostExpect, subject: string): Omit<ExpectFact, 'scenario' | 'step'>[] {
  if (host === 'none') return [];
  const out: Omit<ExpectFact, 'scenario' | 'step'>[] = [];
  const add = (source: ExpectFact['source'], field: ExpectFact['field'], value: string | number | undefined) => {
    // `-` is an empty field (no status was sent), not a code.
    if (value !== undefined && value !== '-') out.push({ subject, source, field, value: String(value) });
  };
  if ('w3c' in host) {
    add('W3SVC', 'sc-status', withSub(host.w3c['sc-status'], host.w3c['sc-substatus']));
    add('W3SVC', 'sc-win32-status', host.w3c['sc-win32-status']);
  } else {
    add('HTTPERR', 'sc-status', host.httperr['sc-status']);
    add('HTTPERR', 's-reason', host.httperr['s-reason']);
  }
  return out;
}

export function expectationFacts(catalog: readonly LoadedScenario[]): ExpectFact[] {
  return catalog.flatMap(({ scenario }) =>
    scenario.requests.flatMap((step, i) => {
      if (step.kind !== 'request') return [];
      const r = step.request;
      const at = { scenario: scenario.name, step: i + 1 };
      const facts: Omit<ExpectFact, 'scenario' | 'step'>[] = [];
      const c = r.expect.client;
      if (c?.status !== undefined) facts.push({ subject: 'client', source: 'page', field: 'status', value: withSub(c.status, c.substatus)! });
      if (c?.errorCode !== undefined) facts.push({ subject: 'client', source: 'page', field: 'Error Code', value: c.errorCode });
      if (r.expect.proxy) facts.push(...hostFacts(r.expect.proxy, 'proxy'));
      for (const [member, e] of Object.entries(r.expect.members ?? {})) facts.push(...hostFacts(e, member));
      return facts.map((f) => ({ ...at, ...f }));
    }),
  );
}
