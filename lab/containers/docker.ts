/**
 * The one way into testcontainers. Its defaults do not fit these machines (reference
 * containers.md §0): Ryuk would be pulled from a registry, and inside a VM that looks like a
 * container it pulls alpine to find a gateway. The lab removes what it starts itself (cleanup.ts)
 * and reaches containers on loopback or their bridge IP, so both are switched off before the
 * library is loaded; a user's own settings win.
 */
process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
process.env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';

export type Testcontainers = typeof import('testcontainers');

let loaded: Promise<Testcontainers> | undefined;

export function testcontainers(): Promise<Testcontainers> {
  loaded ??= import('testcontainers');
  return loaded;
}

/** Why container mode cannot run here, or undefined when a Docker engine answers. */
export async function dockerUnavailable(): Promise<string | undefined> {
  try {
    const tc = await testcontainers();
    const client = await tc.getContainerRuntimeClient();
    await client.container.dockerode.ping();
    return undefined;
  } catch (err) {
    return `no Docker engine answers (${String((err as Error).message ?? err).split('\n')[0]}); scripts/start-docker.sh starts one as root`;
  }
}
