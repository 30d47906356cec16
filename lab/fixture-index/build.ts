import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { ClientResult } from '../client.ts';
import { readW3cText, num, type W3cRow } from '../artifacts/w3c-reader.ts';
import type { Diagnosis, FaultClassId } from '../diagnosis/taxonomy.ts';
import type { Bundle, Evidence, FileEntry, RequestLabel } from './schema.ts';

/**
 * One bundle's labels for the fixture index, read from its manifest (the ground truth the runner
 * wrote from the scenario, not inferred from the logs) and its files. A request is labelled with
 * its step's `faultClass`, else the scenario's diagnosis class, when the client saw a failure (a 5xx or
 * a cut connection), and `healthy` otherwise.
 */
interface ManifestRecord {
  kind: 'w3c' | 'httperr';
  where?: { file: string; line: number };
  entry: Record<string, string | number | undefined>;
}

interface Manifest {
  scenario: string;
  suites: string[];
  requests: { id: string; faultClass?: FaultClassId; client: ClientResult; arrLogId?: string; logged: Record<string, ManifestRecord[]>; tracedIn: string[] }[];
  hosts: Record<string, { w3svc: string[]; httperr: string[]; freb: string[]; events?: string[]; winhttp?: string[] }>;
  run: { passed: boolean };
}

export interface BundleContext {
  /** The bundle folder; every path of the bundle's entry is relative to it. */
  dir: string;
  diagnosis: Diagnosis;
  seed: number;
  set: Bundle['set'];
  deterministic: boolean;
  windows: string;
}

const CONTROLLER = 'arr';

export function clientOutcome(c: Pick<ClientResult, 'status' | 'substatus' | 'errorCode' | 'networkError'>): string {
  if (c.networkError) return `connection error ${c.networkError}`;
  const status = `${c.status}${c.substatus ? `.${c.substatus}` : ''}`;
  return c.errorCode ? `${status} ${c.errorCode}` : status;
}

const failed = (c: ClientResult) => c.networkError !== undefined || (c.status ?? 0) >= 500;

function describe(r: ManifestRecord): string {
  const e = r.entry;
  if (r.kind === 'httperr') return `HTTPERR ${e['cs-method'] ?? '-'} ${e['cs-uri'] ?? '-'} ${e['sc-status'] ?? '-'} ${e['s-reason']}`;
  return `W3SVC ${e['cs-method']} ${e['cs-uri-stem']} ${e['sc-status']} ${e['sc-substatus']} ${e['sc-win32-status']} ${e['time-taken']}`;
}

export async function buildBundle(ctx: BundleContext): Promise<Bundle> {
  const manifest = JSON.parse(await readFile(join(ctx.dir, 'manifest.json'), 'utf8')) as Manifest & { load?: unknown };
  const files = await listFiles(ctx.dir);
  const inBundle = posix;
  const requests: RequestLabel[] = manifest.load
    ? await loadRequests(ctx, manifest, inBundle)
    : manifest.requests.map((r) => {
        const controller = r.logged[CONTROLLER]?.find((x) => x.where);
        const evidence: Evidence[] = Object.entries(r.logged).flatMap(([host, list]) =>
          list.filter((x) => x.where).map((x) => ({ file: inBundle(x.where!.file), line: x.where!.line, shows: `${host} ${describe(x)}` })),
        );
        evidence.push(...r.tracedIn.map((f) => ({ file: inBundle(f), shows: 'failed-request trace (FREB) of the request' })));
        return {
          id: r.id,
          key: controller ? `${posix(controller.where!.file)}:${controller.where!.line}` : `request:${r.id}`,
          ...(r.arrLogId && { arrLogId: r.arrLogId }),
          class: failed(r.client) ? (r.faultClass ?? ctx.diagnosis.class) : 'healthy',
          client: clientOutcome(r.client),
          evidence,
        };
      });
  return {
    name: manifest.scenario,
    suites: manifest.suites,
    set: ctx.set,
    seed: ctx.seed,
    deterministic: ctx.deterministic,
    windows: ctx.windows,
    diagnosis: ctx.diagnosis,
    passed: manifest.run.passed,
    files,
    requests,
    connectionEvidence: await connectionEvidence(ctx, manifest, inBundle),
  };
}

/**
 * A load run keeps no per-request records: its requests are the controller's W3SVC lines, and a
 * line is failing when ARR logged a 5xx or a WinHTTP error for it.
 */
async function loadRequests(ctx: BundleContext, manifest: Manifest, inBundle: (f: string) => string): Promise<RequestLabel[]> {
  const out: RequestLabel[] = [];
  for (const file of manifest.hosts[CONTROLLER]?.w3svc ?? []) {
    const { rows } = readW3cText(await readFile(join(ctx.dir, file), 'latin1'));
    for (const row of rows) {
      const status = num(row, 'sc-status') ?? 0;
      const win32 = num(row, 'sc-win32-status') ?? 0;
      const bad = status >= 500 || win32 !== 0;
      out.push({
        id: String(out.length + 1),
        key: `${posix(file)}:${row.line}`,
        class: bad ? ctx.diagnosis.class : 'healthy',
        client: `${status}${row.values['sc-substatus'] && row.values['sc-substatus'] !== '0' ? `.${row.values['sc-substatus']}` : ''}`,
        evidence: [{ file: inBundle(file), line: row.line, shows: `arr W3SVC ${row.values['cs-uri-stem']} ${status} ${row.values['sc-substatus']} ${win32} ${row.values['time-taken']}` }],
      });
    }
  }
  return out;
}

/** HTTPERR lines with no request (connection timers, refused connections) and event-log records. */
async function connectionEvidence(ctx: BundleContext, manifest: Manifest, inBundle: (f: string) => string): Promise<Evidence[]> {
  const out: Evidence[] = [];
  for (const [host, files] of Object.entries(manifest.hosts)) {
    for (const file of files.httperr ?? []) {
      const { rows } = readW3cText(await readFile(join(ctx.dir, file), 'latin1'));
      const connectionLevel = (r: W3cRow) => r.values['cs-method'] === '-' && r.values['s-reason'] !== undefined;
      for (const r of rows.filter(connectionLevel)) out.push({ file: inBundle(file), line: r.line, shows: `${host} HTTPERR ${r.values['s-reason']}` });
    }
    for (const file of files.events ?? []) {
      const lines = (await readFile(join(ctx.dir, file), 'utf8')).split('\n');
      lines.forEach((l, i) => {
        const id = /<EventID[^>]*>(\d+)<\/EventID>/.exec(l);
        if (id) out.push({ file: inBundle(file), line: i + 1, shows: `${host} event ${id[1]}` });
      });
    }
  }
  return out;
}

const posix = (p: string) => p.split(sep).join('/');

function kindOf(path: string): FileEntry['kind'] {
  if (/\/LogFiles\/W3SVC\d+\//i.test(path)) return 'w3svc';
  if (/\/HTTPERR\//i.test(path)) return 'httperr';
  if (/\/FailedReqLogFiles\//i.test(path)) return 'freb';
  if (/\/winevt\//i.test(path)) return 'events';
  if (/winhttp/i.test(path)) return 'winhttp';
  if (/manifest\.json$/.test(path)) return 'manifest';
  if (/load-report\./.test(path)) return 'report';
  return 'other';
}

async function listFiles(dir: string): Promise<FileEntry[]> {
  const out: FileEntry[] = [];
  const walk = async (d: string) => {
    for (const entry of (await readdir(d, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) await walk(p);
      else {
        const text = await readFile(p);
        const inDir = posix(relative(dir, p));
        const kind = kindOf(`/${inDir}`);
        const lines = text.toString('latin1').split('\n');
        if (lines.at(-1) === '') lines.pop();
        out.push({
          path: inDir,
          host: inDir.includes('/') ? inDir.split('/')[0]! : '-',
          kind,
          lines: lines.length,
          ...((kind === 'w3svc' || kind === 'httperr') && { entries: lines.filter((l) => !l.startsWith('#')).length }),
          bytes: (await stat(p)).size,
        });
      }
    }
  };
  await walk(dir);
  return out;
}
