import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { utcParts } from '../core/clock.ts';
import { w3cValue } from '../iis/w3c-format.ts';
import { loadCatalog } from '../lab/catalog.ts';
import { runScenario } from '../lab/scenario/run.ts';
import { readW3c, tempDir } from './helpers.ts';

interface ManifestRecord {
  kind: 'w3c' | 'httperr';
  at: string;
  where: { file: string; line: number };
  entry: Record<string, string | number | undefined>;
}

interface Manifest {
  requests: { logged: Record<string, ManifestRecord[]> }[];
  unattributed: Record<string, ManifestRecord[]>;
  hosts: Record<string, { w3svc: string[]; httperr: string[]; connectionEvents: Record<string, number> }>;
}

const isConnectionReason = (reason: string | undefined) => reason === 'Timer_ConnectionIdle' || reason === 'Timer_HeaderWait' || reason === 'Timer_MinBytesPerSecond' || /^\d+_Connections_Refused$/.test(reason ?? '');
// Container scenarios run in test/containers.test.ts, which says plainly when Docker is missing.
const catalog = (await loadCatalog()).filter((l) => !l.scenario.suites.includes('load') && l.scenario.runtime !== 'containers');

/**
 * Every scenario of the catalog end to end: all its checks hold (client, proxy and member logs,
 * farm state, events, accounting), and every line of every host's W3SVC and HTTPERR files, read
 * back by #Fields as a log tool reads them, is the record the manifest says is on that line.
 */
describe('the catalog', () => {
  it('holds the six seed incidents', () => {
    const seeds = catalog.filter((l) => l.scenario.suites.includes('seeds')).map((l) => l.scenario.name).sort();
    expect(seeds).toEqual(['all-members-unavailable', 'member-offline', 'partial-flush-close', 'response-close', 'slow-page-timeout', 'slow-page-timeout-raised']);
  });

  for (const loaded of catalog) {
    it(`${loaded.scenario.suites[0]}: ${loaded.scenario.name}`, async () => {
      const { dir, cleanup } = tempDir();
      try {
        const result = await runScenario(loaded, { dir: join(dir, loaded.scenario.name), timeScale: 0.001 });
        expect(result.checks.filter((c) => !c.pass)).toEqual([]);
        expect(result.checks.some((c) => c.field === 'accounted once')).toBe(true);

        const manifest = JSON.parse(readFileSync(result.manifest, 'utf8')) as Manifest;
        for (const [host, files] of Object.entries(manifest.hosts)) {
          const records = [...manifest.requests.flatMap((r) => r.logged[host] ?? []), ...(manifest.unattributed[host] ?? [])];
          for (const kind of ['w3c', 'httperr'] as const) {
            for (const file of kind === 'w3c' ? files.w3svc : files.httperr) {
              const lines = readFileSync(join(result.dir, file), 'latin1').split('\r\n');
              const inFile = records.filter((r) => r.kind === kind && r.where.file === file);
              const { fields, rows } = readW3c(join(result.dir, file));
              const connectionRows = rows.filter((r) => isConnectionReason(r['s-reason']) && r['cs-method'] === '-');
              expect(rows.length - connectionRows.length, `${host} ${file} request lines`).toBe(inFile.length);
              for (const rec of inFile) {
                const values = lines[rec.where.line - 1]!.split(' ');
                const { date, time } = utcParts(Date.parse(rec.at));
                fields.forEach((f, i) => {
                  const want = f === 'date' ? date : f === 'time' ? time : w3cValue(rec.entry[f]);
                  expect(values[i], `${host} ${file}:${rec.where.line} ${f}`).toBe(want);
                });
              }
            }
          }
          const connections = Object.values(files.connectionEvents).reduce((a, b) => a + b, 0);
          const connectionLines = files.httperr.flatMap((f) => readW3c(join(result.dir, f)).rows).filter((r) => isConnectionReason(r['s-reason'])).length;
          expect(connectionLines, `${host} connection lines`).toBe(connections);
        }
      } finally {
        cleanup();
      }
    });
  }
});
