import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab } from '../lab/lab.ts';
import { parseYamlScenario } from '../lab/scenario/load.ts';
import { runScenario } from '../lab/scenario/run.ts';
import { readW3c, tempDir } from './helpers.ts';

/**
 * The lab's answers must not depend on how busy the machine is. This file keeps both cores busy
 * with two spinning processes of its own while it runs labs, and checks nominal values only.
 */
let spinners: ChildProcess[] = [];

beforeAll(() => {
  spinners = [0, 1].map(() => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
});

afterAll(() => {
  for (const s of spinners) s.kill('SIGKILL');
});

interface LoggedEntry {
  kind: string;
  entry: Record<string, string | number | undefined>;
}

function manifestOf(file: string): { requests: { id: string; logged: Record<string, LoggedEntry[]> }[] } {
  return JSON.parse(readFileSync(file, 'utf8'));
}

describe('on a busy machine', () => {
  it('charges no request with a health test that fired while it was in flight', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const loaded = parseYamlScenario(
        `name: busy-after-wait
description: Fast requests right after a wait, with a URL test every second.
suites: [test]
farm:
  healthCheck: { url: http://arr.contoso.test/health, interval: "00:00:01" }
members:
  - name: member1
    script:
      - route: /health
        do: [{ respond: { status: 200 } }]
      - route: /
        do: [{ respond: { status: 200 } }]
requests:
  - wait: 3s
  - path: /page
    repeat: 60
    expect: { client: { status: 200 } }
`,
        'busy-after-wait.yaml',
      );
      const result = await runScenario(loaded, { dir: join(dir, 'run'), timeScale: 0.001 });
      expect(result.checks.filter((c) => !c.pass)).toEqual([]);
      const requests = manifestOf(result.manifest).requests;
      expect(requests).toHaveLength(60);
      for (const r of requests) {
        const arr = Number(r.logged.arr![0]!.entry['time-taken']);
        const member = Number(r.logged.member1![0]!.entry['time-taken']);
        // A health test a second apart would add at least 1000 ms; ARR adds only its own work.
        expect(arr - member, `request ${r.id}: ARR ${arr} ms, member ${member} ms`).toBeLessThan(1000);
      }
    } finally {
      cleanup();
    }
  });

  it('delivers a burst sent at one instant before any member finishes a wait: a queue of 10 overflows by exactly 14', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const loaded = parseYamlScenario(
        `name: busy-burst
description: 25 requests at once to a member with one thread and a queue of 10.
suites: [test]
farm:
  protocol: { timeout: "00:05:00" }
  # The refusals are the subject here, not the live-traffic test they would trip after ten.
  healthCheck: { maxLiveTrafficFailures: 100 }
members:
  - name: member1
    httpSys: { concurrency: 1, queueLength: 10 }
    script:
      - route: /
        do: [{ sleep: 2s }, { respond: { status: 200 } }]
requests:
  - path: /
    repeat: 25
    concurrency: 25
`,
        'busy-burst.yaml',
      );
      const result = await runScenario(loaded, { dir: join(dir, 'run'), timeScale: 0.001 });
      const statuses = result.client.map((c) => c.status).sort();
      expect(statuses.filter((s) => s === 503)).toHaveLength(14);
      expect(statuses.filter((s) => s === 200)).toHaveLength(11);
      const requests = manifestOf(result.manifest).requests;
      const reasons = requests.flatMap((r) => r.logged.member1!).filter((x) => x.kind === 'httperr').map((x) => x.entry['s-reason']);
      expect(reasons).toEqual(Array(14).fill('QueueFull'));
      // The eleven that ran waited their turn: 2 s, 4 s, ... 22 s, each logged on its own instant.
      const taken = requests
        .flatMap((r) => r.logged.member1!)
        .filter((x) => x.kind === 'w3c')
        .map((x) => Math.round(Number(x.entry['time-taken']) / 1000))
        .sort((a, b) => a - b);
      expect(taken).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22]);
    } finally {
      cleanup();
    }
  });

  it('keeps every timer on time under constant outside load: slow pages time out at 30 s, fast ones are not charged', async () => {
    const { dir, cleanup } = tempDir();
    const script = [
      { route: '/slow', do: [{ sleep: '45s' }, { respond: {} }] },
      { route: '/fast', do: [{ respond: {} }] },
    ];
    // Forty timeouts would trip the live-traffic test (ten failures) and turn the rest into 502.4.
    const farm = { healthCheck: { maxLiveTrafficFailures: 1000 } };
    const lab = await Lab.start({ farm, members: [{ name: 'member1', script }, { name: 'member2', script }] }, { root: dir, timeScale: 0.001 });
    const agent = new Agent({ connections: 20, headersTimeout: 0, bodyTimeout: 0 });
    try {
      const outcomes: { path: string; status: number }[] = [];
      let next = 0;
      const total = 400;
      // A load generator from outside the lab: 20 connections, no lab marker, no pause.
      const lane = async () => {
        while (next < total) {
          const path = next++ % 10 === 0 ? '/slow' : '/fast';
          const res = await request(lab.url(path), { dispatcher: agent });
          await res.body.dump();
          outcomes.push({ path, status: res.statusCode });
        }
      };
      await Promise.all(Array.from({ length: 20 }, lane));
      await lab.settle();
      await lab.stop();
      expect(outcomes.filter((o) => o.path === '/slow').map((o) => o.status)).toEqual(Array(40).fill(502));
      expect(outcomes.filter((o) => o.path === '/fast' && o.status !== 200)).toEqual([]);
      const rows = readW3c(lab.controller.files().w3svc[0]!).rows;
      expect(rows).toHaveLength(total);
      for (const row of rows) {
        const taken = Number(row['time-taken']);
        if (row['cs-uri-stem'] === '/slow') {
          expect(row['sc-win32-status']).toBe('12002');
          expect(taken).toBeGreaterThanOrEqual(30_000);
          expect(taken).toBeLessThan(31_000);
        } else {
          // Its own work, queued behind 19 other connections on a starved core, can take a
          // second; a 30 s timeout firing meanwhile would show as tens of seconds.
          expect(taken, `fast request logged ${taken} ms`).toBeLessThan(10_000);
        }
      }
    } finally {
      await agent.destroy();
      await lab.stop();
      cleanup();
    }
  });
});
