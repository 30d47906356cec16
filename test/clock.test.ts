import { describe, expect, it } from 'vitest';
import { LabClock } from '../core/clock.ts';
import { formatTimeSpan, parseDuration, parseTimeSpan } from '../core/duration.ts';

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

describe('lab clock', () => {
  it('fires timers in nominal order with the nominal instant as now, whatever the wall jitter', async () => {
    const clock = new LabClock({ scale: 0.001, startAt: 0 });
    const fired: [string, number][] = [];
    const done = new Promise<void>((resolve) => {
      clock.setTimer(45_000, () => {
        fired.push(['sleep 45 s', clock.now()]);
        resolve();
      });
      clock.setTimer(30_000, () => fired.push(['timeout 30 s', clock.now()]));
      clock.setTimer(30_000, () => fired.push(['second 30 s', clock.now()]));
      clock.setTimer(30_001, () => fired.push(['30.001 s', clock.now()]));
    });
    // Stall the event loop far past every wall deadline (45 ms): all are overdue at once.
    busy(80);
    await done;
    expect(fired.map(([n]) => n)).toEqual(['timeout 30 s', 'second 30 s', '30.001 s', 'sleep 45 s']);
    for (const [name, at] of fired) {
      const due = { 'timeout 30 s': 30_000, 'second 30 s': 30_000, '30.001 s': 30_001, 'sleep 45 s': 45_000 }[name]!;
      expect(at - 80).toBeLessThanOrEqual(due);
      expect(at).toBeGreaterThanOrEqual(due);
      // Only real work since the firing shows up, never another timer's gap.
      expect(at - due).toBeLessThan(50);
    }
    clock.dispose();
  });

  it('pauses for an instant action: no timer fires and the frontier stands still, whatever the wall time, until it resumes', async () => {
    const clock = new LabClock({ scale: 0.001, startAt: 0 });
    const fired: [string, number][] = [];
    clock.setTimer(120_000, () => fired.push(['idle timer', clock.now()]));
    busy(20);
    const resume = clock.pause();
    const at = clock.frontier();
    // Far past the timer's wall deadline (120 ms) while paused.
    busy(150);
    await new Promise((r) => setTimeout(r, 50));
    expect(fired).toEqual([]);
    expect(clock.frontier()).toBe(at);
    resume();
    resume();
    await new Promise<void>((r) => clock.setTimer(120_001 - clock.frontier(), r));
    // It fired after the pause, on its own instant; the frontier went on from where the pause left it.
    expect(fired.map(([n]) => n)).toEqual(['idle timer']);
    expect(fired[0]![1]).toBeGreaterThanOrEqual(120_000);
    // Only real work since the firing shows up, never the paused stretch (150 ms of wall = 150 s).
    expect(fired[0]![1] - 120_000).toBeLessThan(50);
    expect(at).toBeLessThan(120_000);
    clock.dispose();
  });

  it('ends a run when its work is done: a timer due after that halts the clock instead of firing, however late the wall', async () => {
    const clock = new LabClock({ scale: 0.001, startAt: 0 });
    let working = true;
    const fired: string[] = [];
    const needed = new Promise<void>((resolve) => clock.setTimer(10_000, () => {
      fired.push('needed');
      working = false;
      resolve();
    }));
    clock.setTimer(120_000, () => fired.push('idle timer'));
    clock.haltWhen(() => !working);
    // The machine stalls past both deadlines: only the timer the work needed may fire.
    busy(150);
    await needed;
    // Past the idle timer's own wall deadline (110 ms after the first fired).
    await new Promise((r) => setTimeout(r, 200));
    expect(fired).toEqual(['needed']);
    const stopped = clock.now();
    expect(stopped).toBeLessThanOrEqual(120_000);
    busy(5);
    expect(clock.now()).toBe(stopped);
    clock.dispose();
  });

  it('lets nominal time advance at real speed while the lab works, not at the scaled speed', () => {
    const clock = new LabClock({ scale: 0.001, startAt: 0 });
    const t0 = clock.now();
    busy(20);
    const worked = clock.now() - t0;
    // 20 ms of work is 20 ms nominal (not 20 s), and never passes a pending timer.
    expect(worked).toBeGreaterThanOrEqual(20);
    expect(worked).toBeLessThan(1000);
    clock.setTimer(5, () => {});
    busy(20);
    expect(clock.now() - t0).toBeLessThanOrEqual(worked + 5 + 1);
    clock.dispose();
  });

  it('keeps nominal gaps between timers when the event loop stalls', async () => {
    const clock = new LabClock({ scale: 0.001, startAt: 0 });
    const at: number[] = [];
    await new Promise<void>((resolve) => {
      clock.setTimer(1_000, () => {
        at.push(clock.now());
        busy(30); // 30 ms of real work inside the first timer
      });
      clock.setTimer(61_000, () => {
        at.push(clock.now());
        resolve();
      });
    });
    expect(at[0]).toBeGreaterThanOrEqual(1_000);
    // The 30 ms stall is not turned into 30 s of nominal time: the second timer is on its instant.
    expect(at[1]! - 61_000).toBeGreaterThanOrEqual(0);
    expect(at[1]! - 61_000).toBeLessThan(5);
    clock.dispose();
  });

  it('cancels, aborts sleeps and disposes without leaving a timer', async () => {
    const clock = new LabClock({ scale: 0.001 });
    let ran = false;
    clock.setTimer(10, () => (ran = true)).cancel();
    const ctrl = new AbortController();
    const sleeping = clock.sleep(60_000, ctrl.signal);
    ctrl.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    clock.setTimer(1_000_000, () => (ran = true));
    expect(clock.pending).toBe(1);
    clock.dispose();
    expect(clock.pending).toBe(0);
    await new Promise((r) => setTimeout(r, 20));
    expect(ran).toBe(false);
    expect(() => clock.setTimer(1, () => {})).toThrow(/disposed/);
  });

  it('runs at real time with scale 1', async () => {
    const clock = new LabClock({ scale: 1 });
    const wall = performance.now();
    await clock.sleep(30);
    const elapsed = performance.now() - wall;
    // Ratio, not a threshold: a 30 ms nominal wait takes at least 30 ms of wall time at scale 1.
    expect(elapsed / 30).toBeGreaterThanOrEqual(0.95);
    clock.dispose();
  });
});

describe('timelines', () => {
  const turns = (n: number) => new Promise<void>((resolve) => {
    const step = () => (--n <= 0 ? resolve() : setImmediate(step));
    setImmediate(step);
  });

  it('never charges a request with a jump it did not wait for', async () => {
    // Frozen: real work is no time at all, so any nominal time a timeline shows is a wait it made.
    const clock = new LabClock({ scale: 0.001, startAt: 0, frozen: true });
    const request = clock.begin(0);
    // A health test every second fires five times while the request is in flight.
    let probes = 0;
    const probe = () => {
      probes++;
      if (probes < 5) clock.setTimer(1_000, probe);
    };
    clock.setTimer(1_000, probe);
    while (probes < 5) await turns(1);
    expect(clock.frontier()).toBe(5_000);
    expect(request.now()).toBe(0);
    // Its own wait moves it by exactly that wait.
    await request.run(() => clock.sleep(30_000));
    expect(request.now()).toBe(30_000);
    clock.dispose();
  });

  it('gives a timer the instant of the timeline that set it, and runs it on that timeline', async () => {
    const clock = new LabClock({ scale: 0.001, startAt: 0, frozen: true });
    clock.setTimer(10_000, () => {});
    await new Promise<void>((resolve) => clock.setTimer(10_000, resolve));
    // A request that started at 0 sets its 30 s timeout after the lab moved to 10 s.
    const request = clock.begin(0);
    const seen = await request.run(
      () => new Promise<number>((resolve) => clock.setTimer(30_000, () => resolve(clock.now()))),
    );
    expect(seen).toBe(30_000);
    expect(clock.frontier()).toBe(30_000);
    clock.dispose();
  });

  it('starts a received request where its sender stands, and the sender hears the receiver\'s waits', async () => {
    const clock = new LabClock({ scale: 0.001, startAt: 0, frozen: true });
    const client = clock.begin(2_000, true);
    client.run(() => clock.offer('r1'));
    const { timeline: member, sender } = clock.receive('r1');
    expect(sender).toBe(client);
    expect(member.now()).toBe(2_000);
    await member.run(() => clock.sleep(20_000));
    client.run(() => clock.heard('r1'));
    expect(client.now()).toBe(22_000);
    // A request from outside the lab starts at the frontier.
    expect(clock.receive('unknown').timeline.now()).toBe(clock.frontier());
    clock.dispose();
  });

  it('holds a due timer while a scenario request stamped before it is on its way, and no longer', async () => {
    const clock = new LabClock({ scale: 0.001, startAt: 0, frozen: true });
    let fired = false;
    // Due at once in wall time (1 nominal ms is a microsecond): only the hold keeps it back.
    clock.setTimer(1, () => (fired = true));
    const lane = clock.begin(0, true);
    lane.run(() => clock.offer('r1'));
    await turns(30);
    expect(fired).toBe(false);
    clock.receive('r1').timeline.finish();
    lane.run(() => clock.withdraw('r1'));
    lane.finish();
    await turns(10);
    expect(fired).toBe(true);
    expect(clock.timing().holdsExpired).toBe(0);
    clock.dispose();
  });

  it('stops holding for a request that never arrives after a bounded number of turns', async () => {
    const clock = new LabClock({ scale: 0.001, startAt: 0, frozen: true });
    let fired = false;
    clock.setTimer(1, () => (fired = true));
    const lane = clock.begin(0, true);
    // Sent to a member whose host never answers the SYN: only its connect timeout moves it on.
    lane.run(() => clock.offer('r1'));
    await turns(200);
    expect(fired).toBe(true);
    expect(clock.timing().holdsExpired).toBe(1);
    clock.dispose();
  });

  it('is not held by traffic from outside the lab', async () => {
    const clock = new LabClock({ scale: 0.001, startAt: 0, frozen: true });
    let fired = false;
    clock.setTimer(1_000, () => (fired = true));
    // A load generator's requests have no chain: receiving one holds nothing.
    const foreign = clock.receive(undefined).timeline;
    await new Promise((resolve) => clock.setTimer(1_000, () => resolve(undefined)));
    expect(fired).toBe(true);
    // A hold would have had to run out of turns first.
    expect(clock.timing().holdsExpired).toBe(0);
    foreign.finish();
    clock.dispose();
  });
});

describe('durations', () => {
  it('reads IIS timeSpans and human durations', () => {
    expect(parseTimeSpan('00:00:30')).toBe(30_000);
    expect(parseTimeSpan('00:01:00')).toBe(60_000);
    expect(parseTimeSpan('1.02:03:04.5')).toBe(((24 + 2) * 3600 + 3 * 60 + 4.5) * 1000);
    expect(parseTimeSpan('00:61:00')).toBeUndefined();
    expect(parseDuration('45s')).toBe(45_000);
    expect(parseDuration('1.5m')).toBe(90_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration(1200)).toBe(1200);
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseDuration('-5s')).toBeUndefined();
    expect(formatTimeSpan(30_000)).toBe('00:00:30');
    expect(formatTimeSpan(90_061_000)).toBe('1.01:01:01');
  });
});

describe('lab clock under churn', () => {
  it('keeps firing in order after many cancelled timers (the heap is compacted)', async () => {
    const clock = new LabClock({ scale: 0.001, startAt: 0 });
    const fired: number[] = [];
    // A proxy under load: every request arms a 30 s timeout and cancels it a moment later.
    for (let i = 0; i < 5000; i++) clock.setTimer(30_000 + i, () => fired.push(-1)).cancel();
    const done = new Promise<void>((resolve) => {
      clock.setTimer(2_000, () => fired.push(2));
      clock.setTimer(1_000, () => fired.push(1));
      clock.setTimer(3_000, () => {
        fired.push(3);
        resolve();
      });
    });
    expect(clock.pending).toBe(3);
    await done;
    expect(fired).toEqual([1, 2, 3]);
    clock.dispose();
  });
});
