import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadCatalog } from '../../lab/catalog.ts';
import { runScenario } from '../../lab/scenario/run.ts';
import { options, serve } from './child.ts';

/**
 * Runs the whole catalog as `arr-lab run all` does, once per `round` command, in a process of its
 * own (a scenario that crashes its lab fails this part, not the bench). Load and validate every
 * scenario file, then each scenario in a fresh in-process lab, artifacts written.
 */
const o = options<{ root: string; timeScale: number }>();
let round = 0;

await serve(async () => ({
  ready: { pid: process.pid },
  commands: {
    round: async () => {
      const dir = join(o.root, `round-${++round}`);
      const t0 = performance.now();
      const catalog = await loadCatalog();
      const scenarios: { name: string; passed: boolean; nominalMs: number; wallMs: number }[] = [];
      for (const loaded of catalog) {
        const r = await runScenario(loaded, { dir: join(dir, loaded.scenario.name), timeScale: o.timeScale });
        scenarios.push({ name: r.name, passed: r.passed, nominalMs: r.nominalMs, wallMs: r.wallMs });
      }
      const wallMs = performance.now() - t0;
      await rm(dir, { recursive: true, force: true });
      return { wallMs, scenarios };
    },
  },
  async stop() {},
}));
