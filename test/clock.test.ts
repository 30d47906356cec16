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
