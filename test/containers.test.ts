import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { resolveTargets } from '../lab/catalog.ts';
import { LABELS, removeOrphans } from '../lab/containers/cleanup.ts';
import { testcontainers } from '../lab/containers/docker.ts';
import { memberImage } from '../lab/containers/image.ts';
import { runScenario, type ScenarioResult } from '../lab/scenario/run.ts';
import { describeWithDocker, useContainerFarm } from '../lab/testing/vitest.ts';
import { readW3c, tempDir } from './helpers.ts';

/**
 * The container suite: members as real hosts in containers, real faults, and what the client,
 * ARR's logs and the member's logs showed. Where the in-process model has the same fault, both
 * runtimes must classify it the same (docs/containers.md, "Fault table").
 */
interface Logged {
  kind: string;
  entry: Record<string, unknown>;
}
interface Manifest {
  requests: { id: string; client: { status?: number; errorCode?: string }; logged: Record<string, Logged[]> }[];
  hosts: Record<string, { w3svc: string[]; httperr: string[] }>;
}

/** Container scenario → the in-process scenario that models the same fault, compared on their first 5xx. */
const MODELLED_BY: Record<string, string> = {
  'container-pause': 'slow-page-timeout',
  'container-blackhole': 'connect-timeout',
  'container-stop-timeout': 'connect-timeout',
  'container-reject': 'member-offline',
  'container-crash': 'member-offline',
  'container-kill-in-flight': 'response-close',
  'container-disconnect-in-flight': 'slow-page-timeout',
};

const manifestOf = (r: ScenarioResult) => JSON.parse(readFileSync(r.manifest, 'utf8')) as Manifest;

/** ARR's classification of the scenario's first failed request: status.substatus and sc-win32-status. */
function firstFailure(r: ScenarioResult): string | undefined {
  for (const q of manifestOf(r).requests) {
    const line = q.logged.arr?.[0];
    if (line?.kind === 'w3c' && Number(line.entry['sc-status']) >= 500) return `${line.entry['sc-status']}.${line.entry['sc-substatus']} ${line.entry['sc-win32-status']} ${q.client.errorCode}`;
  }
  return undefined;
}

const suite = await resolveTargets(['containers']);

await describeWithDocker('container suite', () => {
  const { dir, cleanup } = tempDir('arr-lab-containers-');
  const results = new Map<string, ScenarioResult>();

  it('builds or finds the member image, and removes the orphans of a killed run', async () => {
    await memberImage();
    const tc = await testcontainers();
    const docker = (await tc.getContainerRuntimeClient()).container.dockerode;
    // A process that has exited: its pid names no live owner.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const labels = { [LABELS.lab]: 'true', [LABELS.run]: 'orphan-test', [LABELS.ownerPid]: dead };
    const live = { ...labels, [LABELS.ownerPid]: String(process.pid) };
    const net = await docker.createNetwork({ Name: `arr-lab-orphan-${dead}`, Labels: labels });
    const kept = await docker.createNetwork({ Name: `arr-lab-live-${process.pid}`, Labels: live });
    const container = await docker.createContainer({ Image: await memberImage(), Labels: labels, Cmd: ['node', '-e', '0'] });
    try {
      const removed = await removeOrphans();
      expect(removed.containers).toBeGreaterThanOrEqual(1);
      expect(removed.networks).toBeGreaterThanOrEqual(1);
      await expect(docker.getContainer(container.id).inspect()).rejects.toThrow();
      await expect(net.inspect()).rejects.toThrow();
      // A run whose owner is alive is not an orphan.
      expect((await kept.inspect()).Name).toBe(`arr-lab-live-${process.pid}`);
    } finally {
      await kept.remove();
    }
  }, 120_000);

  for (const loaded of suite) {
    it(`${loaded.scenario.name}: every check holds, and the files say what the records say`, async () => {
      const result = await runScenario(loaded, { dir: join(dir, loaded.scenario.name), timeScale: 0.001 });
      results.set(loaded.scenario.name, result);
      expect(result.checks.filter((c) => !c.pass)).toEqual([]);
      const manifest = manifestOf(result);
      for (const [host, files] of Object.entries(manifest.hosts)) {
        const rows = files.w3svc.flatMap((f) => readW3c(join(result.dir, f)).rows);
        const records = manifest.requests.flatMap((q) => q.logged[host] ?? []).filter((x) => x.kind === 'w3c');
        expect(rows.map((r) => r['sc-status']), host).toEqual(expect.arrayContaining(records.map((r) => String(r.entry['sc-status']))));
        expect(rows, host).toHaveLength(records.length);
      }
    }, 120_000);
  }

  it('no container or network of the suite is left behind', async () => {
    const tc = await testcontainers();
    const docker = (await tc.getContainerRuntimeClient()).container.dockerode;
    const mine = (labels: Record<string, string> | undefined) => labels?.[LABELS.ownerPid] === String(process.pid);
    const filters = JSON.stringify({ label: [`${LABELS.lab}=true`] });
    expect((await docker.listContainers({ all: true, filters })).filter((c) => mine(c.Labels))).toEqual([]);
    expect((await docker.listNetworks({ filters })).filter((n) => mine(n.Labels))).toEqual([]);
  });

  for (const [real, model] of Object.entries(MODELLED_BY)) {
    it(`${real} and the in-process ${model} classify the fault the same`, async () => {
      const container = results.get(real);
      expect(container, `${real} ran above`).toBeDefined();
      const [loaded] = await resolveTargets([model]);
      const modelled = await runScenario(loaded!, { dir: join(dir, 'in-process', model), timeScale: 0.001 });
      expect(modelled.passed).toBe(true);
      expect(firstFailure(container!)).toBeDefined();
      expect(firstFailure(container!)).toBe(firstFailure(modelled));
    }, 60_000);
  }

  it('cleans up', () => cleanup());
});

await describeWithDocker('container farm helper (lab/testing/vitest.ts)', () => {
  const farm = useContainerFarm({
    farm: { protocol: { timeout: '00:00:30' } },
    members: [{ name: 'web1', script: [{ route: '/big/', do: [{ respond: { bodyBytes: 262_144 } }] }] }],
  });

  it('a frozen member: ARR times out with 12002, the member answers once thawed', async () => {
    expect((await farm().get('/ok/', 'ok')).status).toBe(200);
    const undo = await farm().fault('web1', 'pause');
    const frozen = await farm().get('/time/', 'frozen');
    await undo();
    await farm().settle();
    expect(frozen).toMatchObject({ status: 502, substatus: 3, errorCode: '0x80072ee2' });
    expect(farm().records('arr', 'frozen')[0]?.entry).toMatchObject({ 'sc-status': 502, 'sc-win32-status': 12002 });
    expect(farm().records('web1', 'frozen').map((r) => r.kind)).toEqual(['w3c']);
  }, 60_000);

  it('a rate-limited link: the same response takes many times longer, and still arrives whole', async () => {
    const timeOf = (id: string) => Number((farm().records('arr', id)[0]?.entry as { 'time-taken'?: number } | undefined)?.['time-taken']);
    const fast = await farm().get('/big/', 'fast');
    const undo = await farm().fault('web1', { bandwidth: '1mbit' });
    const slow = await farm().get('/big/', 'slow');
    await undo();
    expect([fast.bodyBytes, slow.bodyBytes]).toEqual([262_144, 262_144]);
    expect(timeOf('slow') / Math.max(1, timeOf('fast'))).toBeGreaterThan(10);
  }, 60_000);
});
