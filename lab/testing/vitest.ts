import { afterAll, beforeAll, describe } from 'vitest';
import type { TopologyInput } from '../lab.ts';
import { dockerUnavailable } from '../containers/docker.ts';
import { startContainerFarm, type ContainerFarm, type ContainerFarmOptions } from './container-farm.ts';

/** vitest hooks around lab/testing/container-farm.ts, and a `describe` that needs Docker. */

/** Starts the farm before the file's tests and stops it after; call the returned function inside a test. */
export function useContainerFarm(topology: TopologyInput, options: ContainerFarmOptions = {}): () => ContainerFarm {
  let farm: ContainerFarm | undefined;
  beforeAll(async () => {
    farm = await startContainerFarm(topology, options);
  }, 120_000);
  afterAll(async () => {
    await farm?.stop();
  }, 60_000);
  return () => {
    if (!farm) throw new Error('the container farm did not start (see the beforeAll error)');
    return farm;
  };
}

/**
 * Why container tests cannot run here, or undefined. In CI (CI set) a missing engine is an error,
 * not a skip: the container suite must run there.
 */
export function containerSuiteBlocker(): Promise<string | undefined> {
  // Asked once per file, however many suites it holds: one probe, one notice.
  blocker ??= (async () => {
    const missing = await dockerUnavailable();
    if (missing && process.env.CI) throw new Error(`the container suite must run in CI, but ${missing}`);
    if (missing) console.warn(`\n*** container suite did NOT run: ${missing} ***\n`);
    return missing;
  })();
  return blocker;
}

let blocker: Promise<string | undefined> | undefined;

/** `describe` for tests that need Docker: skipped, with the reason printed, where no engine answers. */
export async function describeWithDocker(name: string, fn: () => void): Promise<void> {
  const missing = await containerSuiteBlocker();
  describe.skipIf(missing !== undefined)(missing ? `${name} (not run: ${missing})` : name, fn);
}
