import { stringify } from 'yaml';
import type { LiveLab } from './live-lab.ts';
import { ApiError } from './api-error.ts';

/**
 * The session so far as a scenario file: the lab's farm and members as it started, then every
 * switch and request made through the API, in order. `arr-lab run` replays it; `arr-lab serve`
 * starts from it. Expectations are left for the trainer to add.
 */
export function sessionYaml(live: LiveLab): string {
  if (!live.journal.some((s) => 'path' in s)) throw new ApiError(409, 'no request sent yet: a scenario sends at least one');
  const t = live.topology.written;
  return stringify({
    name: 'live-session',
    description: `Recorded from arr-lab serve on ${new Date().toISOString().slice(0, 10)}.`,
    suites: ['live'],
    ...(t.farm ? { farm: t.farm } : {}),
    ...(t.resolver ? { resolver: t.resolver } : {}),
    members: t.members.map((m) => ({ name: m.name, ...(m.offline ? { offline: m.offline } : {}), ...(m.script && (m.script as unknown[]).length ? { script: m.script } : {}), ...(m.httpSys ? { httpSys: m.httpSys } : {}), ...(m.nonPagedPool ? { nonPagedPool: m.nonPagedPool } : {}) })),
    requests: live.journal,
  });
}
