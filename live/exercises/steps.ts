import type { ClientResult } from '../../lab/client.ts';
import { requestSchema } from '../../lab/scenario/schema.ts';
import type { LiveLab } from '../live-lab.ts';
import type { Step } from './catalog.ts';

/**
 * Runs scenario-shaped steps on a live lab as the scenario runner does: actions through the API's
 * own path, requests through the lab's client, each lane of requests a lab party on the clock
 * (so a burst reaches the members before any page's sleep ends; docs/time.md). A background
 * request step returns once its requests reached a member, so a queue can be filled first.
 */
export async function runSteps(live: LiveLab, steps: readonly Step[]): Promise<ClientResult[]> {
  const clock = live.lab.clock;
  const runner = clock.begin(undefined, true);
  return runner.run(async () => {
    const results: ClientResult[] = [];
    const background: Promise<number>[] = [];
    for (const step of steps) {
      if (!('path' in step)) {
        await live.act(step);
        continue;
      }
      const r = requestSchema.parse(step);
      const reached = () => [...live.lab.members.values()].reduce((n, m) => n + m.accepted, 0);
      const before = reached();
      let next = 0;
      const start = clock.now();
      const lane = () =>
        clock.begin(start, true).run(async () => {
          const timeline = clock.timeline()!;
          while (next < r.repeat) {
            next++;
            const result = await timeline.during(live.send({ method: r.method, path: r.path, headers: r.headers, body: r.body, as: r.as }));
            results.push(result);
            timeline.reach(result.doneAt);
          }
          timeline.finish();
          return timeline.now();
        });
      const sending = Promise.all(Array.from({ length: Math.min(r.concurrency, r.repeat) }, lane)).then((ends) => Math.max(clock.now(), ...ends));
      if (!r.background) {
        runner.reach(await runner.during(sending));
        continue;
      }
      background.push(sending);
      let done = false;
      void sending.finally(() => (done = true));
      while (!done && reached() < before + Math.min(r.repeat, r.concurrency)) await new Promise((resolve) => setImmediate(resolve));
    }
    runner.reach(Math.max(0, ...(await runner.during(Promise.all(background)))));
    runner.finish();
    return results;
  });
}

/** How a learner reads an outcome: `200`, `502.3 0x80072ee2`, or the client's network error. */
export function outcomeOf(r: ClientResult): string {
  if (r.networkError) return `network error ${r.networkError}`;
  return [`${r.status}${r.substatus ? `.${r.substatus}` : ''}`, r.errorCode ?? ''].filter(Boolean).join(' ');
}
