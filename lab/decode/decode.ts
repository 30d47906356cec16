import { STATUS_CODES } from 'node:http';
import { hex8, reasonPhrase } from '../../iis/detailed-error-page.ts';
import { CLASSIFICATION, UNCLASSIFIED, win32StatusOf, type ClassificationRow } from '../../proxy/failure-classification.ts';
import { errorPage } from '../../proxy/response-relay.ts';
import { hresultFromWin32 } from '../../iis/win32-status.ts';
import type { ExpectFact } from './catalog-facts.ts';
import type { Cited, Evidence } from './evidence.ts';
import { HTTPERR_REASONS, type HttperrReason } from './httperr-reasons.ts';
import { IIS_STATUS_CODES, iisStatusKey, type IisStatusCode } from './iis-status-codes.ts';
import { hex, parseCode, win32OfHresult } from './parse-code.ts';
import { WIN32_CODES, type Win32Code } from './win32-codes.ts';
import { WINHTTP_CODES, WININET_CODES, type WinHttpCode, type WinInetCode } from './winhttp-codes.ts';

/**
 * `arr-lab decode`: every reading of a code, each with its text and meaning (and their evidence),
 * its other written forms, what ARR shows for it (from the failure-classification table, through
 * the same page builder the proxy uses) and the catalog scenarios whose expectations produce it.
 */
export type ReadingKind = 'winhttp' | 'wininet' | 'win32' | 'iis-status' | 'http-status' | 'httperr-reason';

/** One classification row that involves the code: ARR reports it, or a trace shows it beneath. */
export interface ArrMapping {
  row: string;
  relation: 'reported' | 'cause';
  /** The row's evidence: V verified in a Microsoft source, I inferred. */
  evidence: Evidence;
  diagnosis: string;
  observed: string;
  page: { heading: string; description: string; errorCode: string; module: string; notification: string; handler: string };
  /** The controller's W3SVC `sc-status sc-substatus sc-win32-status`. */
  w3svc: string;
}

export interface ScenarioUse {
  scenario: string;
  where: string[];
}

export interface Reading {
  kind: ReadingKind;
  title: string;
  name: string;
  /** What IIS / ARR displays for it (page line, FormatMessage text), when known. */
  text: Cited | undefined;
  /** What the documentation says it means. */
  meaning: Cited | undefined;
  notes: Cited[];
  forms: { label: string; value: string }[];
  arr: ArrMapping[];
  scenarios: ScenarioUse[];
  /** A code the lab's layers never write: explained for real logs, not reproducible here. */
  notProducedByLab?: true;
}

export interface Decoded {
  input: string;
  read: string;
  readings: Reading[];
}

export class UnknownCodeError extends Error {}

const ROWS: readonly ClassificationRow[] = [...CLASSIFICATION, UNCLASSIFIED];

function observed(row: ClassificationRow): string {
  if (row === UNCLASSIFIED) return 'an observation no row describes';
  const started = row.responseStarted === undefined ? '' : row.responseStarted ? ', after response bytes' : ', before any response byte';
  return `${row.phases.join(' / ')}: ${row.kinds.join(' / ')}${started}`;
}

function mapping(row: ClassificationRow, relation: ArrMapping['relation']): ArrMapping {
  const page = errorPage(row);
  return {
    row: row.id,
    relation,
    evidence: row.evidence,
    diagnosis: row.note,
    observed: observed(row),
    page: {
      heading: `HTTP Error ${page.status}.${page.substatus} - ${reasonPhrase(page.status)}`,
      description: page.description,
      errorCode: hex8(page.errorCode),
      module: page.module,
      notification: page.notification,
      handler: page.handler,
    },
    w3svc: `${page.status} ${page.substatus} ${page.win32}`,
  };
}

function rowsFor(reported: (row: ClassificationRow) => boolean, cause?: number): ArrMapping[] {
  const out = ROWS.filter(reported).map((r) => mapping(r, 'reported'));
  if (cause !== undefined) {
    for (const r of ROWS) if (r.cause?.code === cause && !out.some((m) => m.row === r.id)) out.push(mapping(r, 'cause'));
  }
  return out;
}

function uses(facts: readonly ExpectFact[], match: (f: ExpectFact) => boolean): ScenarioUse[] {
  const by = new Map<string, string[]>();
  for (const f of facts.filter(match)) {
    const where = `${f.subject === 'client' ? 'client page' : `${f.subject} ${f.source}`} ${f.field} ${f.value} (step ${f.step})`;
    by.set(f.scenario, [...(by.get(f.scenario) ?? []), where]);
  }
  return [...by].map(([scenario, where]) => ({ scenario, where }));
}

function numberForms(n: number, text: string | undefined): Reading['forms'] {
  const hr = hresultFromWin32(n);
  const forms = [
    { label: 'number', value: `${n} (${hex(n)})` },
    { label: 'HRESULT, as the error page writes it', value: hex8(hr) },
    { label: 'HRESULT in decimal, as FREB stores ErrorCode', value: String(hr) },
    { label: 'W3SVC sc-win32-status', value: String(n) },
  ];
  // FREB renders an ErrorCode as FormatMessage text + " (0x%x)" (docs/reference.md §7.3, DEC-FREB [C]).
  if (text) forms.push({ label: 'FREB ErrorCode description', value: `${text} (${hex(hr)})` });
  return forms;
}

function codeFacts(n: number) {
  const errorCode = hex8(hresultFromWin32(n));
  return (f: ExpectFact) => (f.field === 'sc-win32-status' && f.value === String(n)) || (f.field === 'Error Code' && f.value === errorCode);
}

function winhttpReading(c: WinHttpCode, facts: readonly ExpectFact[]): Reading {
  return {
    kind: 'winhttp',
    title: `WinHTTP error ${c.code}`,
    name: c.name,
    text: c.text,
    meaning: c.meaning,
    notes: [],
    forms: numberForms(c.code, c.text?.text),
    arr: rowsFor((r) => r.winhttp?.code === c.code),
    scenarios: uses(facts, codeFacts(c.code)),
    ...(c.notProducedByLab && { notProducedByLab: true as const }),
  };
}

function wininetReading(c: WinInetCode): Reading {
  return {
    kind: 'wininet',
    title: `WinINet error ${c.code}`,
    name: c.name,
    text: undefined,
    meaning: c.meaning,
    notes: [
      ...(c.note ? [c.note] : []),
      { text: 'the same number in WinInet.h; ARR forwards with WinHTTP, so on an ARR box read the WinHTTP meaning', evidence: 'V', source: 'W32-SYSERR 12000-15999, DOC-502' },
    ],
    forms: numberForms(c.code, undefined),
    arr: [],
    scenarios: [],
  };
}

function win32Reading(c: Win32Code, facts: readonly ExpectFact[]): Reading {
  return {
    kind: 'win32',
    title: `${c.code >= 10000 && c.code < 12000 ? 'Winsock' : 'Win32'} error ${c.code}`,
    name: c.name,
    text: c.text,
    meaning: undefined,
    notes: c.seen ? [c.seen] : [],
    forms: numberForms(c.code, c.text.text),
    arr: rowsFor((r) => win32StatusOf(r) === c.code && r.winhttp === undefined, c.code),
    scenarios: uses(facts, codeFacts(c.code)),
    ...(c.notProducedByLab && { notProducedByLab: true as const }),
  };
}

function statusFacts(status: number, substatus: number | undefined) {
  const key = iisStatusKey({ status, substatus });
  return (f: ExpectFact) =>
    (f.field === 'status' || f.field === 'sc-status') &&
    (substatus === undefined ? f.value === key || f.value.startsWith(`${status}.`) : f.value === key || (substatus === 0 && f.value === String(status)));
}

function statusForms(status: number, substatus: number | undefined): Reading['forms'] {
  if (substatus === undefined) return [{ label: 'W3SVC sc-status', value: String(status) }];
  return [
    ...(status >= 400 ? [{ label: 'error page heading', value: `HTTP Error ${status}.${substatus} - ${reasonPhrase(status)}` }] : []),
    { label: 'W3SVC sc-status sc-substatus', value: `${status} ${substatus}` },
    // FREB writes the substatus only when it is non-zero (docs/reference.md §7.2, DEC-FREB [C]).
    { label: 'FREB statusCode', value: substatus === 0 ? String(status) : `${status}.${substatus}` },
  ];
}

function iisReading(c: IisStatusCode, facts: readonly ExpectFact[]): Reading {
  const key = iisStatusKey(c);
  const [first, ...more] = c.kb;
  const subs = c.substatus === undefined ? IIS_STATUS_CODES.filter((o) => o.status === c.status && o.substatus !== undefined) : [];
  return {
    kind: c.substatus === undefined ? 'http-status' : 'iis-status',
    title: c.substatus === undefined ? `HTTP status ${c.status}` : `IIS status ${key}`,
    name: `${key} ${reasonPhrase(c.status)}`,
    text: first,
    meaning: undefined,
    notes: [
      ...more,
      ...c.notes,
      ...subs.map((s) => ({ ...s.kb[s.kb.length - 1]!, text: `${iisStatusKey(s)}: ${s.kb[s.kb.length - 1]!.text}` })),
    ],
    forms: statusForms(c.status, c.substatus),
    arr: rowsFor((r) => r.status === c.status && (c.substatus === undefined || r.substatus === c.substatus)),
    scenarios: uses(facts, statusFacts(c.status, c.substatus)),
  };
}

/** A status the KB table does not list: its RFC reason phrase and what the catalog does with it. */
function plainStatusReading(status: number, substatus: number | undefined, facts: readonly ExpectFact[]): Reading {
  const key = iisStatusKey({ status, substatus });
  return {
    kind: 'http-status',
    title: `HTTP status ${key}`,
    name: `${key} ${STATUS_CODES[status]}`,
    text: { text: STATUS_CODES[status]!, evidence: 'V', source: 'RFC 9110' },
    meaning: undefined,
    notes: [],
    forms: statusForms(status, substatus),
    arr: [],
    scenarios: uses(facts, statusFacts(status, substatus)),
  };
}

function reasonReading(r: HttperrReason, facts: readonly ExpectFact[]): Reading {
  return {
    kind: 'httperr-reason',
    title: 'HTTPERR reason',
    name: r.reason,
    text: undefined,
    meaning: r.meaning,
    notes: [...(r.sent ? [{ ...r.sent, text: `http.sys sends: ${r.sent.text}` }] : []), ...(r.example ? [r.example] : [])],
    forms: [{ label: 'HTTPERR s-reason (Windows/System32/LogFiles/HTTPERR/httperrN.log)', value: r.reason }],
    arr: [],
    scenarios: uses(facts, (f) => f.field === 's-reason' && f.value === r.reason),
    ...(r.notProducedByLab && { notProducedByLab: true as const }),
  };
}

const sameLine = (a: ExpectFact, b: ExpectFact) => a.scenario === b.scenario && a.step === b.step && a.subject === b.subject && a.source === b.source;

function numberReadings(n: number, facts: readonly ExpectFact[], asStatus: boolean): Reading[] {
  const out: Reading[] = [];
  for (const c of WINHTTP_CODES) if (c.code === n) out.push(winhttpReading(c, facts));
  for (const c of WININET_CODES) if (c.code === n) out.push(wininetReading(c));
  for (const c of WIN32_CODES) if (c.code === n) out.push(win32Reading(c, facts));
  if (asStatus && n >= 100 && n <= 599 && STATUS_CODES[n]) out.push(...statusReadings(n, undefined, facts));
  return out;
}

function statusReadings(status: number, substatus: number | undefined, facts: readonly ExpectFact[]): Reading[] {
  const known = IIS_STATUS_CODES.find((c) => c.status === status && c.substatus === substatus);
  if (known) return [iisReading(known, facts)];
  if (STATUS_CODES[status] && (substatus === undefined || substatus === 0)) return [plainStatusReading(status, substatus, facts)];
  return [];
}

function nameReadings(name: string, facts: readonly ExpectFact[]): Reading[] {
  const same = (s: string) => s.toLowerCase() === name.toLowerCase();
  return [
    ...HTTPERR_REASONS.filter((r) => same(r.reason)).map((r) => reasonReading(r, facts)),
    ...WINHTTP_CODES.filter((c) => same(c.name)).map((c) => winhttpReading(c, facts)),
    ...WININET_CODES.filter((c) => same(c.name)).map(wininetReading),
    ...WIN32_CODES.filter((c) => same(c.name)).map((c) => win32Reading(c, facts)),
  ];
}

/** Decodes one code; throws UnknownCodeError (or NotACodeError) with a message for a person. */
export function decode(input: string, facts: readonly ExpectFact[]): Decoded {
  const q = parseCode(input);
  switch (q.kind) {
    case 'number': {
      const readings = numberReadings(q.value, facts, true);
      if (readings.length === 0) throw new UnknownCodeError(`${input} is not a WinHTTP, WinINet, Win32 or Winsock code or an HTTP status the lab knows (docs/reference.md §2, §3)`);
      return { input, read: q.read, readings };
    }
    case 'hresult': {
      const code = win32OfHresult(q.value);
      const shown = hex8(q.value) === input.trim().toLowerCase() ? input : `${input} (${hex8(q.value)})`;
      if (code === undefined) {
        throw new UnknownCodeError(
          `${shown} is not a FACILITY_WIN32 HRESULT (facility ${(q.value >>> 16) & 0x1fff}, code ${q.value & 0xffff}); ` +
            'the lab knows the Win32, Winsock and WinHTTP codes of docs/reference.md §3',
        );
      }
      const readings = numberReadings(code, facts, false);
      if (readings.length === 0) throw new UnknownCodeError(`${shown} is HRESULT_FROM_WIN32(${code}), and ${code} is not in the lab's tables (docs/reference.md §3.1, §3.3)`);
      return { input, read: code === 0 ? `${q.read} = S_OK / ERROR_SUCCESS` : `${q.read} = HRESULT_FROM_WIN32(${code})`, readings };
    }
    case 'status': {
      // For a W3SVC triple (200.0.64) the scenarios of interest log the whole triple on one line.
      const statusFacts = q.win32 === undefined ? facts : facts.filter((f) => facts.some((w) => sameLine(f, w) && w.field === 'sc-win32-status' && w.value === String(q.win32)));
      const readings = [...statusReadings(q.status, q.substatus, statusFacts), ...(q.win32 === undefined ? [] : numberReadings(q.win32, facts, false))];
      if (readings.length === 0) throw new UnknownCodeError(`${input} is not an IIS status the lab knows (docs/reference.md §2)`);
      return { input, read: q.read, readings };
    }
    case 'name': {
      const readings = nameReadings(q.name, facts);
      if (readings.length === 0) {
        throw new UnknownCodeError(`${input} is not an HTTPERR reason (docs/reference.md §6.4) nor the name of a WinHTTP, WinINet, Win32 or Winsock code the lab knows`);
      }
      return { input, read: q.read, readings };
    }
  }
}
