import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveTargets } from '../lab/catalog.ts';
import { runScenario } from '../lab/scenario/run.ts';
import { utcParts } from '../core/clock.ts';
import { w3cValue } from '../iis/w3c-format.ts';
import { readW3c, tempDir } from './helpers.ts';

const seeds = await resolveTargets(['seeds']);

interface ManifestRecord {
  kind: 'w3c' | 'httperr';
  at: string;
  entry: Record<string, string | number | undefined>;
}

/**
 * Each seed scenario end to end: its own expectations hold, and every host's files, read back
 * by #Fields like a log tool does, say exactly what the lab's records (in the manifest) say.
 */
describe('the seeds suite', () => {
  it('holds the six seed incidents', () => {
    expect(seeds.map((s) => s.scenario.name).sort()).toEqual([
      'all-members-unavailable', 'member-offline', 'partial-flush-close', 'response-close', 'slow-page-timeout', 'slow-page-timeout-raised',
    ]);
  });

  for (const loaded of seeds) {
    it(loaded.scenario.name, async () => {
      const { dir, cleanup } = tempDir();
      try {
        const result = await runScenario(loaded, { dir: join(dir, loaded.scenario.name), timeScale: 0.001 });
        const failed = result.checks.filter((c) => !c.pass);
        expect(failed).toEqual([]);
        expect(result.passed).toBe(true);
        // Every request was checked at the client, the proxy and each member it names.
        const subjects = new Set(result.checks.map((c) => c.subject));
        expect(subjects).toContain('client');
        expect(subjects).toContain('proxy');
        expect(subjects).toContain('member1');

        const manifest = JSON.parse(readFileSync(result.manifest, 'utf8'));
        expect(manifest.run.passed).toBe(true);
        expect(manifest.injected.members[0].name).toBe('member1');
        for (const [host, files] of Object.entries(manifest.hosts as Record<string, { w3svc: string[]; httperr: string[] }>)) {
          const logged: ManifestRecord[] = manifest.requests.flatMap((r: { logged: Record<string, ManifestRecord[]> }) => r.logged[host] ?? []);
          for (const kind of ['w3c', 'httperr'] as const) {
            const rows = (kind === 'w3c' ? files.w3svc : files.httperr).flatMap((f) => readW3c(join(result.dir, f)).rows);
            const records = logged.filter((l) => l.kind === kind);
            expect(rows.length, `${host} ${kind} lines`).toBe(records.length);
            rows.forEach((row, i) => {
              const rec = records[i]!;
              const { date, time } = utcParts(Date.parse(rec.at));
              expect(row.date).toBe(date);
              expect(row.time).toBe(time);
              for (const [field, value] of Object.entries(row)) {
                if (field !== 'date' && field !== 'time') expect(value, `${host} ${field}`).toBe(w3cValue(rec.entry[field]));
              }
            });
          }
        }
      } finally {
        cleanup();
      }
    });
  }
});
