import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveTargets } from '../lab/catalog.ts';
import { runScenario } from '../lab/scenario/run.ts';
import { tempDir } from './helpers.ts';

/**
 * The ARR-semantics scenarios of the catalog (balancing, affinity, server state, health), each
 * run end to end: its own checks on the client, the proxy's and the members' logs, the farm's
 * state and the event log must all hold.
 */
const scenarios = await resolveTargets(['balancing', 'affinity', 'server-state', 'health']);

describe('ARR semantics scenarios', () => {
  it('covers every algorithm, affinity, the rotate actions and both health tests', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(12);
  });

  for (const loaded of scenarios) {
    it(loaded.scenario.name, async () => {
      const { dir, cleanup } = tempDir();
      try {
        const result = await runScenario(loaded, { dir: join(dir, loaded.scenario.name), timeScale: 0.001 });
        expect(result.checks.filter((c) => !c.pass)).toEqual([]);
        expect(result.checks.length).toBeGreaterThan(3);
      } finally {
        cleanup();
      }
    });
  }
});
