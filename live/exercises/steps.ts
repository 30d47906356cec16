import type { ClientResult } from '../../lab/client.ts';
import { membersAccepted, sendInLanes, untilReached } from '../../lab/scenario/lanes.ts';
import { requestBody, requestSchema } from '../../lab/scenario/schema.ts';
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
      const before = membersAccepted(live.lab);
      const sending = sendInLanes(live.lab, r.repeat, r.concurrency, async () => {
        const body = requestBody(r);
        const result = await live.send({ method: r.method, path: r.path, headers: r.headers, body: Buffer.isBuffer(body) ? body.toString('latin1') : body, as: r.as });
        results.push(result);
        return result.doneAt;
      });
      if (!r.background) {
        runner.reach(await runner.during(sending));
        continue;
      }
      background.push(sending);
      await untilReached(live.lab, sending, Math.min(r.repeat, r.concurrency), before);
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
