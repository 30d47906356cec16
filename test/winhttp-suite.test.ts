import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveTargets } from '../lab/catalog.ts';
import { runScenario } from '../lab/scenario/run.ts';
import { w3cValue } from '../iis/w3c-format.ts';
import { readW3c, tempDir } from './helpers.ts';

/**
 * The winhttp suite end to end: each WinHTTP phase's failure, the retry switch both ways and
 * both sides of the response-buffer threshold, each checked at the client, in the proxy's log
 * and in every member's log, with accounting.
 */
const suite = await resolveTargets(['winhttp']);

describe('the winhttp suite', () => {
  it('holds one scenario per phase, retry setting and buffering side', () => {
    expect(suite.map((s) => s.scenario.name).sort()).toEqual([
      'buffering-above-threshold', 'buffering-below-threshold', 'connect-refused-retry-off', 'connect-refused-retry-on',
      'connect-timeout', 'name-not-resolved', 'resolve-timeout', 'send-timeout',
    ]);
  });

  for (const loaded of suite) {
    it(loaded.scenario.name, async () => {
      const { dir, cleanup } = tempDir();
      try {
        const result = await runScenario(loaded, { dir: join(dir, loaded.scenario.name), timeScale: 0.001 });
        expect(result.checks.filter((c) => !c.pass)).toEqual([]);
        const subjects = new Set(result.checks.map((c) => c.subject));
        for (const subject of ['client', 'proxy', ...loaded.scenario.members.map((m) => m.name)]) expect(subjects).toContain(subject);
        expect(result.checks.some((c) => c.field === 'accounted once')).toBe(true);

        // The files, read back by #Fields, say what the records say, line for line.
        const manifest = JSON.parse(readFileSync(result.manifest, 'utf8'));
        for (const [host, files] of Object.entries(manifest.hosts as Record<string, { w3svc: string[]; httperr: string[] }>)) {
          const records: { kind: string; entry: Record<string, unknown> }[] = manifest.requests.flatMap((r: { logged: Record<string, unknown[]> }) => r.logged[host] ?? []);
          for (const kind of ['w3c', 'httperr'] as const) {
            const rows = (kind === 'w3c' ? files.w3svc : files.httperr).flatMap((f) => readW3c(join(result.dir, f)).rows);
            const expected = records.filter((r) => r.kind === kind);
            expect(rows.length, `${host} ${kind} lines`).toBe(expected.length);
            rows.forEach((row, i) => {
              for (const field of Object.keys(row).filter((f) => f !== 'date' && f !== 'time')) {
                expect(row[field], `${host} ${field}`).toBe(w3cValue(expected[i]!.entry[field] as string | number | undefined));
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
