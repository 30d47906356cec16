import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Dockerode from 'dockerode';
import type { HostDriver } from '../host-driver.ts';
import { inProcessDriver } from '../in-process-driver.ts';
import { LABELS, removeOrphans, runLabels } from './cleanup.ts';
import { ContainerMember, CONTROL_PORT, MEMBER_PORT } from './container-member.ts';
import { dockerUnavailable, testcontainers } from './docker.ts';
import { memberImage } from './image.ts';
import { MEMBER_CONFIG_ENV, READY_LINE, type MemberConfig } from './member-config.ts';

/** Where the member's entry point lives below the checkout. */
const SUPERVISOR_PATH = 'lab/containers/supervisor.mjs';

/**
 * The checkout the containers run (bind-mounted read-only at the same path): found from this
 * module, which is either the source or the compiled CLI in dist/.
 */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, SUPERVISOR_PATH))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`container runtime: ${SUPERVISOR_PATH} not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}
/** Wall ms for a member container to print its ready line (create, start, node and tsx boot). */
const START_BUDGET_MS = 60_000;

/** Container runs: waits cross processes, so scaled gaps must dwarf the wall jitter (docs/containers.md). */
export const CONTAINER_MIN_TIME_SCALE = 0.05;

export interface ContainerDriver extends HostDriver {
  readonly run: string;
  /** Removes every container still up and the run's network. */
  dispose(): Promise<void>;
}

/**
 * Members as real hosts: each in its own container on one labelled user-defined network per run
 * (and only on it), running the project's member host code; ARR stays in this process and reaches
 * them at their bridge IP. Orphans of runs that were killed are removed before the first start.
 */
export function containerDriver(): ContainerDriver {
  const run = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
  let network: Promise<{ name: string; docker: Dockerode }> | undefined;

  const ensureNetwork = () => {
    network ??= (async () => {
      const missing = await dockerUnavailable();
      if (missing) throw new Error(`container runtime: ${missing}`);
      const tc = await testcontainers();
      const docker = (await tc.getContainerRuntimeClient()).container.dockerode;
      await removeOrphans();
      const name = `arr-lab-${run}`;
      await docker.createNetwork({ Name: name, Driver: 'bridge', CheckDuplicate: true, Labels: runLabels(run) });
      return { name, docker };
    })();
    return network;
  };

  return {
    run,

    async startMember(spec, context) {
      const tc = await testcontainers();
      const root = projectRoot();
      const [{ name: net, docker }, image] = await Promise.all([ensureNetwork(), memberImage()]);
      mkdirSync(context.root, { recursive: true });
      const token = randomBytes(24).toString('hex');
      const config: MemberConfig = {
        name: spec.name,
        script: spec.script.written,
        offline: spec.offline === true,
        root: context.root,
        port: MEMBER_PORT,
        controlPort: CONTROL_PORT,
        token,
        timeScale: context.clock.scale,
        nominalAt: context.clock.now(),
        wallAt: Date.now(),
        freb: context.freb,
        windows: context.windows,
        httpSys: context.httpSys as Record<string, unknown> | undefined,
        nonPagedPool: context.nonPagedPool as Record<string, unknown> | undefined,
      };
      const container = await new tc.GenericContainer(image)
        .withName(`arr-lab-${run}-${spec.name.toLowerCase()}`)
        // Only on the run's own network: a disconnect then really cuts the member off.
        .withNetworkMode(net)
        .withLabels(runLabels(run))
        .withBindMounts([
          { source: root, target: root, mode: 'ro' },
          { source: context.root, target: context.root, mode: 'rw' },
        ])
        .withWorkingDir(root)
        .withEnvironment({ [MEMBER_CONFIG_ENV]: JSON.stringify(config) })
        .withCommand(['node', join(root, SUPERVISOR_PATH)])
        .withWaitStrategy(tc.Wait.forLogMessage(READY_LINE))
        .withStartupTimeout(START_BUDGET_MS)
        .start();
      const member = new ContainerMember(spec.name, container, docker, net, context.root, token, context.directory);
      await member.listen();
      if (spec.offline === 'silent') await member.setOffline('silent');
      return member;
    },

    startController(spec, context) {
      return inProcessDriver.startController(spec, context);
    },

    async dispose() {
      if (!network) return;
      const { name, docker } = await network;
      // Members the lab stopped are gone already; anything left of this run goes now.
      const filters = JSON.stringify({ label: [`${LABELS.run}=${run}`] });
      const left = await docker.listContainers({ all: true, filters });
      await Promise.all(left.map((c) => docker.getContainer(c.Id).remove({ force: true })));
      await docker.getNetwork(name).remove();
    },
  };
}
