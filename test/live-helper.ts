import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LiveApiClient } from '../live/api-client.ts';
import { Exercises } from '../live/exercises/session.ts';
import { LiveLab } from '../live/live-lab.ts';
import { serveLiveLab, type LiveServer } from '../live/server.ts';
import { teachingFarm } from '../live/teaching-farm.ts';
import type { TopologyInput } from '../lab/lab.ts';

export interface RunningLab {
  live: LiveLab;
  server: LiveServer;
  api: LiveApiClient;
  root: string;
  stop(): Promise<void>;
}

/**
 * A running `arr-lab serve` lab inside a test, driven through its HTTP API exactly as the
 * dashboard drives it: `await lab.api.setScript('member1', [...])` flips a fault while it runs.
 */
export async function startServedLab(options: { topology?: TopologyInput; timeScale?: number; batchMs?: number } = {}): Promise<RunningLab> {
  const root = await mkdtemp(join(tmpdir(), 'arr-lab-live-'));
  const live = await LiveLab.start(options.topology ?? teachingFarm(), { root, timeScale: options.timeScale ?? 0.01 });
  const server = await serveLiveLab(live, { exercises: new Exercises(), batchMs: options.batchMs });
  return {
    live, server, root,
    api: new LiveApiClient(server.url, server.token),
    async stop() {
      await server.close();
      await live.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}
