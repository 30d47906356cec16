import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Lab } from '../lab/lab.ts';
import { get, tempDir } from './helpers.ts';

function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of process.getActiveResourcesInfo()) counts[r] = (counts[r] ?? 0) + 1;
  counts.fds = readdirSync('/proc/self/fd').length;
  return counts;
}

/**
 * Lets short-lived process-wide timers run out (undici keeps an unref'd tick timer for a moment
 * after its last keep-alive socket closes); a timer, socket or handle the lab leaked stays.
 */
async function quiesce(): Promise<Record<string, number>> {
  for (let i = 0; i < 60; i++) {
    await new Promise((r) => setTimeout(r, 50));
    if (!process.getActiveResourcesInfo().includes('Timeout')) break;
  }
  return resources();
}

describe('lab lifecycle', () => {
  it('starting and stopping a lab 100 times leaves no socket, timer or file handle behind', async () => {
    const { dir, cleanup } = tempDir();
    const topology = {
      farm: { protocol: { timeout: '00:00:05' } },
      members: [
        { name: 'member1', script: [{ route: '/slow/', do: [{ sleep: '1h' }] }, { route: '/close/', do: ['close-without-response'] }] },
        { name: 'member2', offline: true },
      ],
    };
    try {
      // One warm-up round so lazily created process-wide resources exist before the baseline.
      let lab = await Lab.start(topology, { root: dir, timeScale: 0.001 });
      await get(lab, '/', 'warm');
      await lab.stop();
      const before = await quiesce();
      for (let i = 0; i < 100; i++) {
        lab = await Lab.start(topology, { root: `${dir}/${i}`, timeScale: 0.001 });
        // A request that completes, one that times out against a member left hanging, one
        // that is reset; the hung member request is still in flight when the lab stops.
        await Promise.all([get(lab, '/', `a${i}`), get(lab, '/slow/', `b${i}`), get(lab, '/close/', `c${i}`)]);
        await lab.stop();
        for (const h of lab.hosts) expect(h.records().length).toBe(h.accepted);
      }
      expect(await quiesce()).toEqual(before);
    } finally {
      cleanup();
    }
  }, 60_000);

  it('a request still running when the lab stops is logged once, as abandoned', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const lab = await Lab.start({ members: [{ name: 'member1', script: [{ route: '/', do: [{ sleep: '1h' }] }] }], farm: { protocol: { timeout: '02:00:00' } } }, { root: dir, timeScale: 0.001 });
      const pending = get(lab, '/', 'x').catch((e: Error) => e);
      while (lab.member('member1').accepted === 0) await new Promise((r) => setTimeout(r, 1));
      await lab.stop();
      await pending;
      const member = lab.member('member1').records();
      expect(member.map((r) => r.kind)).toEqual(['httperr']);
      expect(member[0]!.entry).toMatchObject({ 's-reason': 'Connection_Abandoned_By_ReqQueue' });
      expect(lab.controller.records()).toHaveLength(1);
    } finally {
      cleanup();
    }
  });
});
