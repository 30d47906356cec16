import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { testcontainers } from './docker.ts';

/** The offline image: the host's own node and the libraries it links, FROM scratch, nothing pulled. */
export const OFFLINE_IMAGE = `arr-lab-node:${process.version}`;

/**
 * The image member containers run. `ARR_LAB_IMAGE` names one the user built (from the
 * Dockerfile beside this file, on a machine that reaches a registry); otherwise the offline image
 * is built once per engine. Either way only `node` on the PATH is needed: the project is
 * bind-mounted, so the container runs the code of this checkout.
 */
export async function memberImage(): Promise<string> {
  const named = process.env.ARR_LAB_IMAGE;
  if (named) return named;
  const tc = await testcontainers();
  const client = await tc.getContainerRuntimeClient();
  if (await client.image.exists(tc.ImageName.fromString(OFFLINE_IMAGE))) return OFFLINE_IMAGE;
  await buildOfflineImage();
  return OFFLINE_IMAGE;
}

/** The shared libraries a binary loads, as ldd prints them. */
function librariesOf(binary: string): string[] {
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  return [...out.matchAll(/(\/\S+) \(0x/g)].map((m) => m[1]!);
}

async function buildOfflineImage(): Promise<void> {
  const tc = await testcontainers();
  const context = mkdtempSync(join(tmpdir(), 'arr-lab-image-'));
  try {
    const rootfs = join(context, 'rootfs');
    const place = (source: string, target = source) => {
      mkdirSync(join(rootfs, dirname(target)), { recursive: true });
      copyFileSync(source, join(rootfs, target));
    };
    place(process.execPath, '/usr/local/bin/node');
    for (const lib of librariesOf(process.execPath)) place(lib);
    // tsx keeps its transform cache under the temporary folder.
    mkdirSync(join(rootfs, 'tmp'), { recursive: true });
    writeFileSync(join(rootfs, 'tmp', '.keep'), '');
    // No "# syntax=" line: that would pull a BuildKit frontend image.
    writeFileSync(join(context, 'Dockerfile'), 'FROM scratch\nCOPY rootfs/ /\nENV PATH=/usr/local/bin TMPDIR=/tmp\nCMD ["node"]\n');
    await tc.GenericContainer.fromDockerfile(context).withBuildkit().build(OFFLINE_IMAGE, { deleteOnExit: false });
  } finally {
    rmSync(context, { recursive: true, force: true });
  }
}
