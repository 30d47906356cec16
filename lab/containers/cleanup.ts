import { testcontainers } from './docker.ts';

/** Every container and network the lab creates carries these labels, so it can always be found again. */
export const LABELS = { lab: 'arr-lab', run: 'arr-lab.run', ownerPid: 'arr-lab.owner-pid' } as const;

export function runLabels(run: string): Record<string, string> {
  return { [LABELS.lab]: 'true', [LABELS.run]: run, [LABELS.ownerPid]: String(process.pid) };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes what earlier runs left behind when they were killed before their own clean-up: the
 * lab's containers and networks whose owner process is gone. Anything without the lab's label,
 * or owned by a live process (another lab running now), is left alone.
 */
export async function removeOrphans(): Promise<{ containers: number; networks: number }> {
  const tc = await testcontainers();
  const docker = (await tc.getContainerRuntimeClient()).container.dockerode;
  const orphan = (labels: Record<string, string> | undefined) => {
    const pid = Number(labels?.[LABELS.ownerPid]);
    return labels?.[LABELS.lab] === 'true' && Number.isInteger(pid) && pid > 0 && !alive(pid);
  };
  const filters = JSON.stringify({ label: [`${LABELS.lab}=true`] });
  const containers = (await docker.listContainers({ all: true, filters })).filter((c) => orphan(c.Labels));
  await Promise.all(containers.map((c) => docker.getContainer(c.Id).remove({ force: true })));
  const networks = (await docker.listNetworks({ filters })).filter((n) => orphan(n.Labels));
  await Promise.all(networks.map((n) => docker.getNetwork(n.Id).remove()));
  return { containers: containers.length, networks: networks.length };
}
