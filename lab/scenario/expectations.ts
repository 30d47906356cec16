import type { LoggedRequest } from '../../iis/log-records.ts';
import type { ClientResult } from '../client.ts';
import { describeMeasure, measureHolds, type Measure } from './measure.ts';
import type { HostExpect, RequestExpect } from './schema.ts';

/** One expectation checked against one observation. */
export interface Check {
  request: string;
  subject: string;
  field: string;
  expected: string;
  actual: string;
  pass: boolean;
}

function check(request: string, subject: string, field: string, expected: unknown, actual: unknown): Check {
  return { request, subject, field, expected: String(expected), actual: actual === undefined ? '(none)' : String(actual), pass: String(expected) === String(actual) };
}

export function checkClient(id: string, exp: NonNullable<RequestExpect['client']>, got: ClientResult): Check[] {
  const out: Check[] = [];
  for (const key of ['status', 'substatus', 'errorCode', 'description', 'networkError'] as const) {
    if (exp[key] !== undefined) out.push(check(id, 'client', key, exp[key], got[key]));
  }
  if (exp.bodyIncludes !== undefined) {
    const pass = got.body?.includes(exp.bodyIncludes) ?? false;
    out.push({ request: id, subject: 'client', field: 'body', expected: `includes ${JSON.stringify(exp.bodyIncludes)}`, actual: pass ? 'yes' : 'no', pass });
  }
  for (const [name, value] of Object.entries(exp.header ?? {})) {
    const v = got.headers?.[name.toLowerCase()];
    out.push(check(id, 'client', `header ${name}`, value, Array.isArray(v) ? v.join(', ') : v));
  }
  return out;
}

/** Checks one host's records for one request: a W3SVC line, an HTTPERR line, or none at all. */
export function checkHost(id: string, subject: string, exp: HostExpect, records: readonly LoggedRequest[], tolerance: number): Check[] {
  const lines = `${records.filter((r) => r.kind === 'w3c').length} W3SVC, ${records.filter((r) => r.kind === 'httperr').length} HTTPERR`;
  if (exp === 'none') return [{ request: id, subject, field: 'logged', expected: 'not reached', actual: lines, pass: records.length === 0 }];
  const kind = 'w3c' in exp ? 'w3c' : 'httperr';
  const wanted = kind === 'w3c' ? '1 W3SVC, 0 HTTPERR' : '0 W3SVC, 1 HTTPERR';
  const out: Check[] = [{ request: id, subject, field: 'logged', expected: wanted, actual: lines, pass: lines === wanted }];
  const record = records.find((r) => r.kind === kind);
  if (!record) return out;
  const fields = ('w3c' in exp ? exp.w3c : exp.httperr) as Record<string, unknown>;
  for (const [field, expected] of Object.entries(fields)) {
    const actual = (record.entry as unknown as Record<string, unknown>)[field];
    if (field === 'time-taken') {
      const m = expected as Measure;
      out.push({
        request: id, subject, field, expected: describeMeasure(m, tolerance), actual: String(actual),
        pass: typeof actual === 'number' && measureHolds(m, actual, tolerance),
      });
    } else {
      out.push(check(id, subject, field, expected, actual ?? '-'));
    }
  }
  return out;
}
