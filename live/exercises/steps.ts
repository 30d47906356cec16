import type { ClientResult } from '../../lab/client.ts';
import { requestSchema } from '../../lab/scenario/schema.ts';
import type { LiveLab } from '../live-lab.ts';
import type { Step } from './catalog.ts';

/**
 * Runs scenario-shaped steps on a live lab: actions through the API's own path, requests through
 * the lab's client. A background request step returns once its requests reached a member (as the
 * scenario runner does), so a queue can be filled before the next step.
 */
export async function runSteps(live: LiveLab, steps: readonly Step[]): Promise<ClientResult[]> {
  const results: ClientResult[] = [];
  const background: Promise<void>[] = [];
  for (const step of steps) {
    if (!('path' in step)) {
      await live.act(step);
      continue;
    }
    const r = requestSchema.parse(step);
    const reached = () => [...live.lab.members.values()].reduce((n, m) => n + m.accepted, 0);
    const before = reached();
    let next = 0;
    const worker = async () => {
      while (next < r.repeat) {
        next++;
        results.push(await live.send({ method: r.method, path: r.path, headers: r.headers, body: r.body, as: r.as }));
      }
    };
    const sending = Promise.all(Array.from({ length: Math.min(r.concurrency, r.repeat) }, worker)).then(() => undefined);
    if (!r.background) {
      await sending;
      continue;
    }
    background.push(sending);
    let done = false;
    void sending.finally(() => (done = true));
    while (!done && reached() < before + Math.min(r.repeat, r.concurrency)) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await Promise.all(background);
  return results;
}

/** How a learner reads an outcome: `200`, `502.3 0x80072ee2`, or the client's network error. */
export function outcomeOf(r: ClientResult): string {
  if (r.networkError) return `network error ${r.networkError}`;
  return [`${r.status}${r.substatus ? `.${r.substatus}` : ''}`, r.errorCode ?? ''].filter(Boolean).join(' ');
}
