import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCatalog } from '../lab/catalog.ts';
import { runScenario, type ScenarioResult } from '../lab/scenario/run.ts';
import { tempDir } from './helpers.ts';
import {
  dataLines,
  findArtifacts,
  frebCheck,
  goaccessProblems,
  goaccessRead,
  INSTALL_HINT,
  lnavCountProblems,
  lnavRead,
  missingTools,
  recordProblems,
  webalizerProblems,
  webalizerRead,
  workDir,
  type Artifact,
  type LnavReading,
  type ManifestRecord,
} from './outside-tools.ts';

/**
 * Outside checks (shared/reference/outside-checks.md): the W3SVC, HTTPERR and FREB files of every
 * catalog bundle are read by real third-party tools, which must read every line and the same
 * values as the lab's records. The second half feeds each tool deliberately broken files, so the
 * checks are shown to fail where the tools can see the fault.
 *
 * Needs the tools on PATH (scripts/install-outside-tools.sh; CI runs it). Without them these tests
 * fail, saying so; ARR_LAB_SKIP_OUTSIDE_CHECKS=1 skips them on purpose.
 */
const SKIP = process.env.ARR_LAB_SKIP_OUTSIDE_CHECKS === '1';
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/outside/${name}`, import.meta.url));

/** The CLI's default: a 30 s timeout takes 30 ms. */
const DEFAULT_TIME_SCALE = 0.001;

let work: string;
let cleanup: () => void;

describe.skipIf(SKIP)('outside checks', () => {
  beforeAll(() => {
    const missing = missingTools();
    if (missing.length > 0) throw new Error(`outside-check tools not installed: ${missing.join(', ')}. To run these tests, ${INSTALL_HINT}.`);
    ({ dir: work, cleanup } = tempDir('arr-lab-outside-'));
  });
  afterAll(() => cleanup?.());

  describe('over every bundle of the catalog', () => {
    let runDir: string;
    let results: ScenarioResult[];
    let artifacts: Artifact[];
    let lnav: LnavReading;
    const logs = () => artifacts.filter((a) => a.kind !== 'freb');
    const rowsOf = (a: Artifact) => lnav.rows.filter((r) => r.log_path === a.file);

    beforeAll(async () => {
      runDir = workDir(work, 'run');
      results = [];
      for (const loaded of (await loadCatalog()).filter((l) => l.scenario.runtime !== 'containers')) {
        results.push(await runScenario(loaded, { dir: join(runDir, loaded.scenario.name), timeScale: DEFAULT_TIME_SCALE }));
      }
      artifacts = findArtifacts(runDir);
      lnav = await lnavRead(logs().map((a) => a.file), workDir(work, 'lnav'));
    }, 120_000);

    // Whether each scenario's expectations held is the scenario tests' business; here the files
    // are compared with the records the lab kept, whatever they say.
    it('runs every scenario and finds the files its manifest lists, and no others', () => {
      expect(results.length).toBeGreaterThan(0);
      for (const r of results) {
        const manifest = JSON.parse(readFileSync(r.manifest, 'utf8')) as { hosts: Record<string, Record<string, string[]>> };
        const listed = Object.values(manifest.hosts).flatMap((h) => [...h.w3svc!, ...h.httperr!, ...(h.freb ?? [])]).sort();
        const found = artifacts.filter((a) => a.scenario === r.name).map((a) => relative(r.dir, a.file)).sort();
        expect(found, r.name).toEqual(listed);
        expect(found.some((f) => f.includes('W3SVC')), `${r.name} has a W3SVC file`).toBe(true);
      }
    });

    it('lnav reads every W3SVC and HTTPERR line whole: a row per line, none invalid, folded or with NULLs', () => {
      expect(logs().flatMap((a) => lnavCountProblems(a, lnav.counts))).toEqual([]);
      const lines = logs().reduce((n, a) => n + dataLines(a.file).length, 0);
      expect(lnav.rows.length).toBe(lines);
    });

    it('the values lnav reads by #Fields name equal the records in manifest.json', () => {
      const problems: string[] = [];
      let compared = 0;
      for (const r of results) {
        const manifest = JSON.parse(readFileSync(r.manifest, 'utf8')) as { requests: { logged: Record<string, ManifestRecord[]> }[] };
        const hosts = new Set(artifacts.filter((a) => a.scenario === r.name).map((a) => a.host));
        for (const host of hosts) {
          for (const [kind, recordKind] of [['w3svc', 'w3c'], ['httperr', 'httperr']] as const) {
            const records = manifest.requests.flatMap((q) => q.logged[host] ?? []).filter((x) => x.kind === recordKind);
            const rows = artifacts.filter((a) => a.scenario === r.name && a.host === host && a.kind === kind).flatMap(rowsOf);
            compared += records.length;
            problems.push(...recordProblems(`${r.name}/${host}`, kind, records, rows));
          }
        }
      }
      expect(problems).toEqual([]);
      expect(compared).toBeGreaterThan(results.length);
    });

    it('GoAccess (IIS default column order, #Fields ignored) accepts every W3SVC line and reads what lnav read by name', async () => {
      const w3svc = artifacts.filter((x) => x.kind === 'w3svc');
      const files = w3svc.map((a) => a.file);
      const all = goaccessProblems(files, await goaccessRead(files, work), w3svc.flatMap(rowsOf));
      // One run over every file; when it finds something, one run per file says which.
      const perFile: string[] = [];
      if (all.length > 0) for (const a of w3svc) perFile.push(...goaccessProblems([a.file], await goaccessRead([a.file], work), rowsOf(a)));
      expect([...all, ...perFile]).toEqual([]);
    });

    it('Webalizer takes every W3SVC line as a record, none bad', async () => {
      const problems: string[] = [];
      for (const a of artifacts.filter((x) => x.kind === 'w3svc')) problems.push(...webalizerProblems(a.file, await webalizerRead(a.file, work)));
      expect(problems).toEqual([]);
    });

    it('every FREB file is well-formed and its events are found by namespace (none: nothing to check)', async () => {
      const problems: string[] = [];
      for (const a of artifacts.filter((x) => x.kind === 'freb')) problems.push(...(await frebCheck(a.file, work)).problems);
      expect(problems).toEqual([]);
    });
  });

  describe('each tool catches what outside-checks.md says it catches', () => {
    const at = (time: string) => `2026-11-22T${time}.500Z`;
    const w3svcRecords: ManifestRecord[] = [
      { kind: 'w3c', at: at('03:32:32'), entry: { 's-ip': '127.0.0.1', 'cs-method': 'GET', 'cs-uri-stem': '/time/', 's-port': 80, 'c-ip': '127.0.0.1', 'cs(User-Agent)': 'arr-lab-client/0.1', 'sc-status': 200, 'sc-substatus': 0, 'sc-win32-status': 0, 'time-taken': 15 } },
      { kind: 'w3c', at: at('03:32:33'), entry: { 's-ip': '127.0.0.1', 'cs-method': 'GET', 'cs-uri-stem': '/time/', 'cs-uri-query': 'a=1', 's-port': 80, 'c-ip': '127.0.0.1', 'cs(User-Agent)': 'arr-lab-client/0.1', 'sc-status': 502, 'sc-substatus': 3, 'sc-win32-status': 12002, 'time-taken': 30000 } },
    ];
    const httperrRecords: ManifestRecord[] = [
      { kind: 'httperr', at: at('03:32:32'), entry: { 'c-ip': '127.0.0.1', 'c-port': 55874, 's-ip': '127.0.0.1', 's-port': 37673, 'cs-version': 'HTTP/1.1', 'cs-method': 'GET', 'cs-uri': '/time/', 's-siteid': 1, 's-reason': 'Connection_Dropped', 's-queuename': 'DefaultAppPool' } },
      { kind: 'httperr', at: at('03:32:40'), entry: { 'c-ip': '127.0.0.1', 'c-port': 55880, 's-ip': '127.0.0.1', 's-port': 37673, 'cs-version': 'HTTP/1.1', 'cs-method': 'GET', 'cs-uri': '/big/?x=1', 'sc-status': 200, 's-siteid': 1, 's-reason': 'Connection_Dropped', 's-queuename': 'DefaultAppPool' } },
    ];

    /** Every check over one fixture, as the catalog test runs them. */
    async function check(name: string) {
      const kind = name.startsWith('w3svc') ? 'w3svc' : 'httperr';
      const file = fixture(name);
      const reading = await lnavRead([file], workDir(work, 'lnav'));
      const rows = reading.rows;
      const records = recordProblems(name, kind, kind === 'w3svc' ? w3svcRecords : httperrRecords, rows);
      const counts = lnavCountProblems({ file, kind }, reading.counts);
      if (kind === 'httperr') return { counts, records, goaccess: [], goaccessRaw: undefined, webalizer: [] };
      const g = await goaccessRead([file], work);
      return { counts, records, goaccess: goaccessProblems([file], g, rows), goaccessRaw: g, webalizer: webalizerProblems(file, await webalizerRead(file, work)) };
    }

    it('a well-formed file passes every check', async () => {
      for (const name of ['w3svc-good.log', 'httperr-good.log']) {
        const r = await check(name);
        expect([...r.counts, ...r.records, ...r.goaccess, ...r.webalizer], name).toEqual([]);
      }
    });

    it('an extra field: lnav marks the row invalid, Webalizer calls it bad; GoAccess accepts it silently', async () => {
      const r = await check('w3svc-extra-field.log');
      expect(r.counts).toEqual([expect.stringMatching(/n_invalid = 1$/)]);
      expect(r.webalizer).toEqual(expect.arrayContaining([expect.stringMatching(/1 bad records$/)]));
      expect(r.goaccessRaw).toMatchObject({ valid: 2, failed: 0 });
      expect((await check('httperr-extra-field.log')).counts).toEqual([expect.stringMatching(/n_invalid = 1$/)]);
    });

    it('a truncated line: lnav reads NULLs, Webalizer calls it bad; GoAccess accepts it silently', async () => {
      const r = await check('w3svc-truncated.log');
      expect(r.counts).toEqual([expect.stringMatching(/n_null_time_taken = 1$/)]);
      expect(r.records).toHaveLength(1);
      expect(r.webalizer).toEqual(expect.arrayContaining([expect.stringMatching(/1 bad records$/)]));
      expect(r.goaccessRaw).toMatchObject({ valid: 2, failed: 0 });
      expect((await check('httperr-truncated.log')).counts).toEqual([expect.stringMatching(/n_null_reason = 1$/)]);
    });

    it('a garbage line: lnav folds it into the row before, GoAccess fails it, Webalizer calls it bad', async () => {
      const r = await check('w3svc-garbage-line.log');
      expect(r.counts).toEqual([expect.stringMatching(/n_folded = 1$/), expect.stringMatching(/2 rows for 3 data lines$/)]);
      expect(r.goaccess).toEqual(expect.arrayContaining([expect.stringMatching(/1 failed requests$/)]));
      expect(r.webalizer).toEqual(expect.arrayContaining([expect.stringMatching(/1 bad records$/)]));
      expect((await check('httperr-garbage-line.log')).counts).toEqual([expect.stringMatching(/n_folded = 1$/), expect.stringMatching(/2 rows for 3 data lines$/)]);
    });

    it('#Fields names out of order with the data: lnav reads other values than the records, GoAccess disagrees with lnav', async () => {
      const r = await check('w3svc-fields-swapped.log');
      expect(r.records).toHaveLength(2);
      // lnav reads by name, so it silently takes 0 as sc-status: only the value checks see it.
      expect(r.goaccess).toEqual([expect.stringMatching(/status counts .* differ from lnav's by-name reading/)]);
      expect(r.webalizer).toEqual([]);
      expect((await check('httperr-fields-swapped.log')).records).toHaveLength(2);
    });

    it('#Fields with date and time swapped: Webalizer finds no valid record', async () => {
      const r = await check('w3svc-date-time-swapped.log');
      expect(r.webalizer).toEqual([expect.stringMatching(/exit 1: .*No valid records found!/)]);
    });

    it('columns written consistently in a non-default order: lnav reads them by name, GoAccess rejects the lines', async () => {
      const r = await check('w3svc-nondefault-order.log');
      expect([...r.counts, ...r.records]).toEqual([]);
      expect(r.goaccess).toEqual([expect.stringMatching(/goaccess exit 1: .*Format Errors/)]);
    });
  });

  describe('the FREB check on hand-written samples', () => {
    it('passes a well-formed file whose events carry the event namespace, and reads it', async () => {
      const r = await frebCheck(fixture('freb-good.xml'), work);
      expect(r.problems).toEqual([]);
      expect(r.reading).toEqual({ statusCode: '502.3', url: 'http://test:80/time/', events: 2, opcodes: ['ARR_SERVER_ROUTED', 'MODULE_SET_RESPONSE_ERROR_STATUS'] });
    });

    it('fails a file that is not well-formed (xmllint)', async () => {
      expect((await frebCheck(fixture('freb-malformed.xml'), work)).problems).toEqual([expect.stringMatching(/^xmllint: .*not well-formed: .*Opening and ending tag mismatch/)]);
    });

    it('fails a file with an event written without the namespace (xmlstarlet finds it only by local name)', async () => {
      expect((await frebCheck(fixture('freb-event-without-namespace.xml'), work)).problems).toEqual([
        expect.stringMatching(/^xmlstarlet: .*2 <Event> elements but only 1 in the namespace/),
      ]);
    });
  });
});
