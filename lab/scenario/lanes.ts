import type { Lab } from '../lab.ts';

/**
 * A request step's traffic as lab parties (docs/time.md): `concurrency` lanes, each a causal chain
 * of its own, all starting at the caller's instant, and a lane's next request starting where its
 * previous one ended. `send(i)` sends the i-th request and resolves to the instant it ended.
 * Resolves to the instant the last lane ended.
 */
export async function sendInLanes(lab: Lab, count: number, concurrency: number, send: (i: number) => Promise<number>, signal?: AbortSignal): Promise<number> {
  const clock = lab.clock;
  let next = 0;
  const start = clock.now();
  const lane = () =>
    clock.begin(start, true).run(async () => {
      const timeline = clock.timeline()!;
      while (next < count && !signal?.aborted) timeline.reach(await timeline.during(send(next++)));
      timeline.finish();
      return timeline.now();
    });
  const ends = await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return Math.max(clock.now(), ...ends);
}

/**
 * A background step goes on once its first wave of requests reached the members (so a queue can
 * be filled before the next step), or once it ended without reaching them.
 */
export async function untilReached(lab: Lab, sending: Promise<unknown>, wave: number, before: number): Promise<void> {
  let done = false;
  void sending.finally(() => (done = true));
  while (!done && membersAccepted(lab) < before + wave) await new Promise((resolve) => setImmediate(resolve));
}

/** Requests the members accepted so far. */
export function membersAccepted(lab: Lab): number {
  return [...lab.members.values()].reduce((n, m) => n + m.accepted, 0);
}
