import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join, relative, sep } from 'node:path';
import { utcParts } from '../core/clock.ts';
import { w3cValue } from '../iis/w3c-format.ts';

/**
 * Runs real third-party log tools over the files the lab writes (shared/reference/outside-checks.md):
 * lnav reads W3SVC and HTTPERR by their #Fields names and answers SQL; GoAccess reads W3SVC in
 * IIS's default column order, ignoring #Fields; Webalizer rejects any line with the wrong field
 * count; xmllint and xmlstarlet read FREB XML. Each check returns the problems it found, as
 * sentences naming the file and the tool, so a test can show them and a negative test can assert
 * that a broken file is caught.
 */

export const OUTSIDE_TOOLS = ['lnav', 'goaccess', 'webalizer', 'xmllint', 'xmlstarlet'] as const;

export const INSTALL_HINT =
  'run scripts/install-outside-tools.sh (as root: apt-get installs lnav goaccess webalizer libxml2-utils xmlstarlet), ' +
  'or set ARR_LAB_SKIP_OUTSIDE_CHECKS=1 to skip the outside checks';

export function missingTools(): string[] {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const found = (tool: string) =>
    dirs.some((d) => {
      try {
        accessSync(join(d, tool), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
  return OUTSIDE_TOOLS.filter((t) => !found(t));
}

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a tool with its own HOME (no user config) and UTC; never throws on a non-zero exit. */
function run(cmd: string, args: string[], home: string): Promise<Ran> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env: { ...process.env, HOME: home, TZ: 'UTC', LC_ALL: 'C' }, timeout: 60_000, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : undefined) : 0;
      if (code === undefined) reject(new Error(`${cmd} could not run: ${err!.message}`));
      else resolve({ code, stdout, stderr });
    });
  });
}

export function workDir(parent: string, name: string): string {
  return mkdtempSync(join(parent, `${name}-`));
}

/** The lines a log tool must count as requests: every line but the `#` directives. */
export function dataLines(file: string): string[] {
  const text = readFileSync(file, 'latin1');
  return text.split(/\r?\n/).filter((l, i, all) => !(i === all.length - 1 && l === '') && !l.startsWith('#'));
}

export function commentLines(file: string): number {
  return readFileSync(file, 'latin1').split(/\r?\n/).filter((l) => l.startsWith('#')).length;
}

// --- discovery -------------------------------------------------------------------------------

export interface Artifact {
  file: string;
  kind: 'w3svc' | 'httperr' | 'freb';
  /** Path parts under the run folder: scenario and host. */
  scenario: string;
  host: string;
}

/** Every W3SVC, HTTPERR and FREB file under a run folder, by name and place, not by the manifest. */
export function findArtifacts(runDir: string): Artifact[] {
  const out: Artifact[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else {
        const kind = /^u_ex\d{6}\.log$/.test(e.name) && /[\\/]W3SVC\d+$/.test(dir)
          ? 'w3svc'
          : /^httperr\d+\.log$/.test(e.name) && dir.endsWith(`${sep}HTTPERR`)
            ? 'httperr'
            : /^fr\d{6}\.xml$/.test(e.name)
              ? 'freb'
              : undefined;
        if (!kind) continue;
        const [scenario, host] = relative(runDir, path).split(sep);
        out.push({ file: path, kind, scenario: scenario!, host: host! });
      }
    }
  };
  walk(runDir);
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

// --- lnav ------------------------------------------------------------------------------------

/** Per-file counts lnav's SQL gives (reference outside-checks.md); a NULL is a value lnav could not read. */
export interface LnavCounts {
  log_path: string;
  n_rows: number;
  n_invalid: number;
  n_folded: number;
  n_bad_status: number;
  n_null_time_taken: number;
  n_null_win32: number;
  n_null_reason: number;
  n_null_cport: number;
}

const COUNTS_SQL =
  "SELECT log_path, count(*) AS n_rows, sum(log_level = 'invalid') AS n_invalid, " +
  'sum(instr(log_raw_text, char(10)) > 0) AS n_folded, sum(sc_status NOT BETWEEN 100 AND 599) AS n_bad_status, ' +
  "sum(time_taken IS NULL) AS n_null_time_taken, sum(jget(x_fields, '/sc-win32-status') IS NULL) AS n_null_win32, " +
  "sum(jget(x_fields, '/s-reason') IS NULL) AS n_null_reason, " +
  // The periodic `<n>_Connections_Refused` line has every other field empty by design (§6.4).
  "sum(jget(x_fields, '/c-port') IS NULL AND jget(x_fields, '/s-reason') NOT LIKE '%_Connections_Refused') AS n_null_cport " +
  'FROM w3c_log GROUP BY log_path';

/** The columns compared with the lab's records, named as the W3C fields they come from. */
const W3SVC_COLUMNS: Record<string, string> = {
  's-ip': 's_ip', 'cs-method': 'cs_method', 'cs-uri-stem': 'cs_uri_stem', 'cs-uri-query': 'cs_uri_query', 's-port': 's_port',
  'cs-username': 'cs_username', 'c-ip': 'c_ip', 'cs(User-Agent)': "jget(cs_headers, '/User-Agent')", 'cs(Referer)': "jget(cs_headers, '/Referer')",
  'sc-status': 'sc_status', 'sc-substatus': 'sc_substatus', 'sc-win32-status': "jget(x_fields, '/sc-win32-status')", 'time-taken': 'time_taken',
};
const HTTPERR_COLUMNS: Record<string, string> = {
  'c-ip': 'c_ip', 'c-port': "jget(x_fields, '/c-port')", 's-ip': 's_ip', 's-port': 's_port', 'cs-version': 'cs_version', 'cs-method': 'cs_method',
  'cs-uri': "jget(x_fields, '/cs-uri')", streamid: "jget(x_fields, '/streamid')", 'sc-status': 'sc_status',
  's-siteid': "jget(x_fields, '/s-siteid')", 's-reason': "jget(x_fields, '/s-reason')", 's-queuename': "jget(x_fields, '/s-queuename')",
};

export type LnavRow = Record<string, string> & { log_path: string };

const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;

function valuesSql(columns: Record<string, string>): string {
  const cols = Object.entries(columns).map(([field, expr]) => `${expr} AS ${quote(field)}`);
  return `SELECT log_path, log_line, log_level, log_time, ${cols.join(', ')} FROM w3c_log`;
}

export interface LnavReading {
  counts: LnavCounts[];
  /** Every row of every file, with the W3SVC and the HTTPERR columns; `log_path` says whose. */
  rows: LnavRow[];
}

/**
 * One lnav run over all the files: per-file counts, then every row's values. lnav exits 0 even
 * when a query fails (a file without #Fields has no w3c_log), so a missing output is the failure.
 */
export async function lnavRead(files: string[], work: string): Promise<LnavReading> {
  // lnav leaves files unread past a few dozen in one run: read them in batches.
  const batches: LnavReading[] = [];
  for (let i = 0; i < files.length; i += LNAV_BATCH) batches.push(await lnavBatch(files.slice(i, i + LNAV_BATCH), join(work, `batch-${i}`)));
  return { counts: batches.flatMap((b) => b.counts), rows: batches.flatMap((b) => b.rows) };
}

const LNAV_BATCH = 32;

async function lnavBatch(files: string[], work: string): Promise<LnavReading> {
  mkdirSync(work, { recursive: true });
  const out = { counts: join(work, 'counts.json'), rows: join(work, 'rows.json') };
  const args = ['-n', '-q'];
  for (const [sql, file] of [[COUNTS_SQL, out.counts], [valuesSql({ ...W3SVC_COLUMNS, ...HTTPERR_COLUMNS }), out.rows]] as const) {
    args.push('-c', `;${sql}`, '-c', `:write-json-to ${file}`);
  }
  const r = await run('lnav', [...args, ...files], work);
  const read = (file: string) => {
    if (!existsSync(file)) throw new Error(`lnav wrote no ${file} (exit ${r.code}): the query failed; stderr: ${r.stderr.trim() || '(empty)'}`);
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>[];
  };
  const normalise = (rows: Record<string, unknown>[]) =>
    rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v === null || v === undefined ? '-' : String(v)])) as LnavRow);
  return { counts: read(out.counts) as unknown as LnavCounts[], rows: normalise(read(out.rows)) };
}

/** What lnav must have counted in one file for it to have read every line whole. */
export function lnavCountProblems(a: Pick<Artifact, 'file' | 'kind'>, counts: readonly LnavCounts[]): string[] {
  const c = counts.find((x) => x.log_path === a.file);
  const lines = dataLines(a.file).length;
  if (!c) return lines === 0 ? [] : [`lnav: ${a.file}: not read as a W3C log (no rows in w3c_log for ${lines} data lines)`];
  const must: (keyof LnavCounts)[] =
    a.kind === 'w3svc' ? ['n_invalid', 'n_folded', 'n_bad_status', 'n_null_time_taken', 'n_null_win32'] : ['n_invalid', 'n_folded', 'n_null_reason', 'n_null_cport'];
  const problems = must.filter((k) => Number(c[k]) !== 0).map((k) => `lnav: ${a.file}: ${k} = ${c[k]}`);
  if (Number(c.n_rows) !== lines) problems.push(`lnav: ${a.file}: ${c.n_rows} rows for ${lines} data lines`);
  return problems;
}

// --- comparing with the lab's records --------------------------------------------------------

export interface ManifestRecord {
  kind: 'w3c' | 'httperr';
  at: string;
  entry: Record<string, string | number>;
}

const FIELDS = { w3svc: Object.keys(W3SVC_COLUMNS), httperr: Object.keys(HTTPERR_COLUMNS) };

function recordKey(kind: 'w3svc' | 'httperr', r: ManifestRecord): string {
  const { date, time } = utcParts(Date.parse(r.at));
  return [`${date} ${time}`, ...FIELDS[kind].map((f) => w3cValue(r.entry[f]))].join(' ');
}

function rowKey(kind: 'w3svc' | 'httperr', row: LnavRow): string {
  return [row.log_time!.slice(0, 19), ...FIELDS[kind].map((f) => row[f]!)].join(' ');
}

/**
 * Every record the manifest holds for a host must be a row lnav read from that host's files, with
 * the same values field by field; each row matches one record. Rows left over are lines the
 * manifest does not attribute to a scenario request (health probes): the count and NULL checks
 * still cover them, but there is no record to compare them with.
 */
export function recordProblems(label: string, kind: 'w3svc' | 'httperr', records: readonly ManifestRecord[], rows: readonly LnavRow[]): string[] {
  const left = rows.map((r) => rowKey(kind, r));
  const problems: string[] = [];
  for (const rec of records) {
    const key = recordKey(kind, rec);
    const i = left.indexOf(key);
    if (i >= 0) left.splice(i, 1);
    else problems.push(`lnav: ${label}: the manifest records "${key}" but lnav read no such ${kind.toUpperCase()} row; rows read: ${rows.map((r) => `"${rowKey(kind, r)}"`).join(', ') || 'none'}`);
  }
  return problems;
}

// --- GoAccess --------------------------------------------------------------------------------

export interface GoaccessReading {
  valid: number;
  failed: number;
  /** Hits per status code. */
  statuses: Record<string, number>;
  /** Sum of time-taken in ms (GoAccess keeps microseconds). */
  timeTakenMs: number;
}

/**
 * GoAccess in `--log-format=W3C` (IIS's default order, #Fields ignored) over W3SVC files: one
 * run reads them all as one log, which costs what one file costs.
 */
export async function goaccessRead(files: string[], work: string): Promise<GoaccessReading | string> {
  const dir = workDir(work, 'goaccess');
  const report = join(dir, 'report.json');
  const r = await run('goaccess', [...files, '--log-format=W3C', '--no-global-config', `--invalid-requests=${join(dir, 'invalid.txt')}`, '-o', report], dir);
  if (r.code !== 0 || !existsSync(report)) return `goaccess exit ${r.code}: ${(r.stderr + r.stdout).replace(/==\d+==/g, '').replace(/\s+/g, ' ').trim()}`;
  const json = JSON.parse(readFileSync(report, 'utf8')) as {
    general: { valid_requests: number; failed_requests: number };
    status_codes: { metadata: { cumts?: { total: { value: number } } }; data: { items?: { data: string; hits: { count: number } }[] }[] };
  };
  const statuses: Record<string, number> = {};
  for (const group of json.status_codes.data) for (const item of group.items ?? []) statuses[item.data.split(' ')[0]!] = item.hits.count;
  return {
    valid: json.general.valid_requests,
    failed: json.general.failed_requests,
    statuses,
    // The status panel holds every hit; the requests panel leaves out static files and 404s.
    timeTakenMs: (json.status_codes.metadata.cumts?.total.value ?? 0) / 1000,
  };
}

/** GoAccess must accept every line and read the same statuses and time-taken as lnav did by name. */
export function goaccessProblems(files: string[], g: GoaccessReading | string, lnavRows: readonly LnavRow[]): string[] {
  const file = files.length === 1 ? files[0]! : `${files.length} W3SVC files`;
  if (typeof g === 'string') return [`goaccess: ${file}: ${g}`];
  const problems: string[] = [];
  const lines = files.reduce((n, f) => n + dataLines(f).length, 0);
  if (g.failed !== 0) problems.push(`goaccess: ${file}: ${g.failed} failed requests`);
  if (g.valid !== lines) problems.push(`goaccess: ${file}: ${g.valid} valid requests for ${lines} data lines`);
  const statuses: Record<string, number> = {};
  let timeTaken = 0;
  for (const row of lnavRows) {
    statuses[row['sc-status']!] = (statuses[row['sc-status']!] ?? 0) + 1;
    timeTaken += Number(row['time-taken']);
  }
  if (JSON.stringify(sorted(g.statuses)) !== JSON.stringify(sorted(statuses))) {
    problems.push(`goaccess: ${file}: status counts ${JSON.stringify(sorted(g.statuses))} differ from lnav's by-name reading ${JSON.stringify(sorted(statuses))}`);
  }
  if (g.timeTakenMs !== timeTaken) problems.push(`goaccess: ${file}: total time-taken ${g.timeTakenMs} ms differs from lnav's by-name reading ${timeTaken} ms`);
  return problems;
}

function sorted(o: Record<string, number>): [string, number][] {
  return Object.entries(o).sort(([a], [b]) => a.localeCompare(b));
}

// --- Webalizer -------------------------------------------------------------------------------

export interface WebalizerReading {
  exit: number;
  records: number;
  ignored: number;
  bad: number;
  output: string;
}

export async function webalizerRead(file: string, work: string): Promise<WebalizerReading> {
  const dir = workDir(work, 'webalizer');
  const r = await run('webalizer', ['-c', '/dev/null', '-F', 'w', '-N', '0', '-Y', '-G', '-H', '-L', '-o', dir, '-n', 'lab', file], dir);
  const output = `${r.stdout}${r.stderr}`;
  const m = /(\d+) records?(?: \((\d+) ignored(?:, (\d+) bad)?\))?/.exec(output);
  return { exit: r.code, records: Number(m?.[1] ?? 0), ignored: Number(m?.[2] ?? 0), bad: Number(m?.[3] ?? 0), output: output.replace(/\s+/g, ' ').trim() };
}

/** Webalizer must take every data line as a record and ignore only the `#` directives. */
export function webalizerProblems(file: string, w: WebalizerReading): string[] {
  const lines = dataLines(file).length;
  const comments = commentLines(file);
  if (w.exit !== 0) return [`webalizer: ${file}: exit ${w.exit}: ${w.output}`];
  const problems: string[] = [];
  if (w.bad !== 0) problems.push(`webalizer: ${file}: ${w.bad} bad records`);
  if (w.records - w.ignored - w.bad !== lines || w.ignored !== comments) {
    problems.push(`webalizer: ${file}: ${w.records} records (${w.ignored} ignored, ${w.bad} bad) for ${lines} data and ${comments} directive lines`);
  }
  return problems;
}

// --- FREB ------------------------------------------------------------------------------------

export const EVENT_NS = 'http://schemas.microsoft.com/win/2004/08/events/event';

export interface FrebReading {
  statusCode: string;
  url: string;
  events: number;
  opcodes: string[];
}

/**
 * xmllint for well-formedness, then xmlstarlet with the event namespace: the Events a consumer
 * finds by namespace must be all the Events there are, each with its System and RenderingInfo.
 */
export async function frebCheck(file: string, work: string): Promise<{ problems: string[]; reading?: FrebReading }> {
  const lint = await run('xmllint', ['--noout', file], work);
  if (lint.code !== 0) return { problems: [`xmllint: ${file}: not well-formed: ${lint.stderr.trim().split('\n').slice(0, 3).join(' | ')}`] };
  const q = await run(
    'xmlstarlet',
    [
      'sel', '-N', `ev=${EVENT_NS}`, '-T', '-t',
      '-v', 'count(/failedRequest)', '-n',
      '-v', 'count(//ev:Event)', '-n',
      '-v', "count(//*[local-name()='Event'])", '-n',
      '-v', 'count(//ev:Event[not(ev:System/ev:Provider/@Name) or not(ev:System/ev:TimeCreated/@SystemTime) or not(ev:RenderingInfo/ev:Opcode)])', '-n',
      '-v', '/failedRequest/@statusCode', '-n',
      '-v', '/failedRequest/@url', '-n',
      '-m', '//ev:Event', '-v', 'ev:RenderingInfo/ev:Opcode', '-o', ' ', '-b',
      file,
    ],
    work,
  );
  if (q.code !== 0 && q.code !== 1) return { problems: [`xmlstarlet: ${file}: exit ${q.code}: ${q.stderr.trim()}`] };
  const [roots, nsEvents, allEvents, incomplete, statusCode = '', url = '', opcodes = ''] = q.stdout.split('\n');
  const problems: string[] = [];
  if (roots !== '1') problems.push(`xmlstarlet: ${file}: the root is not <failedRequest>`);
  if (Number(nsEvents) === 0) problems.push(`xmlstarlet: ${file}: no <Event> in the namespace ${EVENT_NS} (${allEvents} without it)`);
  else if (nsEvents !== allEvents) problems.push(`xmlstarlet: ${file}: ${allEvents} <Event> elements but only ${nsEvents} in the namespace ${EVENT_NS}`);
  if (Number(incomplete) > 0) problems.push(`xmlstarlet: ${file}: ${incomplete} events lack System/Provider/@Name, System/TimeCreated/@SystemTime or RenderingInfo/Opcode`);
  return { problems, reading: { statusCode, url, events: Number(nsEvents), opcodes: opcodes.trim().split(/\s+/).filter(Boolean) } };
}
