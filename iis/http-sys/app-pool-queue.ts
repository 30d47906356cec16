import type { Socket } from 'node:net';
import type { LabClock, TimerHandle, Timeline } from '../../core/clock.ts';
import type { HttpSysSettings } from './settings.ts';

/** How a request left the app pool's queue. */
export type Admission = 'run' | 'queue-full' | 'client-reset' | 'timed-out' | 'stopped';

interface Waiter {
  resolve(admission: Admission): void;
  /** The waiting request's timeline: it runs from the instant the thread it waited for came free. */
  timeline: Timeline | undefined;
  timer: TimerHandle;
  socket: Socket;
  onClose: () => void;
}

/**
 * The app pool's request queue in http.sys and the worker that drains it (docs/reference.md §2.2,
 * §6.4-6.5): a request runs at once while the worker has a free thread (`concurrency`), else it
 * waits, first come first served, in a queue of at most `queueLength`. A request that arrives to a
 * full queue is refused (QueueFull); one whose client goes away while it waits is dropped
 * (Client_Reset); one that waits longer than `connectionTimeout` is abandoned (Timer_ReqQueue).
 * All waiting is on the lab clock.
 */
export class AppPoolQueue {
  private executing = 0;
  /** Which worker process: a request that ran in a worker that has died must not free a thread of the next. */
  generation = 0;
  private readonly waiting: Waiter[] = [];

  constructor(
    private readonly settings: () => HttpSysSettings,
    private readonly clock: LabClock,
  ) {}

  /** Requests the worker is running now. */
  get running(): number {
    return this.executing;
  }

  get depth(): number {
    return this.waiting.length;
  }

  enter(socket: Socket): Promise<Admission> | Admission {
    const s = this.settings();
    if (this.executing < s.concurrency && this.waiting.length === 0) {
      this.executing++;
      return 'run';
    }
    if (this.waiting.length >= s.queueLength) return 'queue-full';
    return new Promise<Admission>((resolve) => {
      const waiter: Waiter = {
        socket,
        timeline: this.clock.timeline(),
        resolve: (admission) => {
          waiter.timer.cancel();
          socket.off('close', waiter.onClose);
          waiter.timeline?.resume();
          resolve(admission);
        },
        timer: this.clock.setTimer(s.connectionTimeout, () => this.remove(waiter, 'timed-out')),
        onClose: () => this.remove(waiter, 'client-reset'),
      };
      socket.once('close', waiter.onClose);
      this.waiting.push(waiter);
      // Waiting for a thread is waiting on other requests, not work that holds the clock back.
      waiter.timeline?.park();
    });
  }

  /** The request that ran in worker `generation` is done: the next waiting one gets the thread. */
  leave(generation: number): void {
    if (generation !== this.generation) return;
    this.executing--;
    if (this.waiting.length === 0) return;
    const s = this.settings();
    const freedAt = this.clock.now();
    while (this.executing < s.concurrency && this.waiting.length > 0) {
      this.executing++;
      const next = this.waiting.shift()!;
      next.timeline?.reach(freedAt);
      next.resolve('run');
    }
  }

  /** The worker died: nothing runs and nothing waits (the requests were abandoned by the host). */
  reset(): void {
    this.generation++;
    this.executing = 0;
    for (const w of this.waiting.splice(0)) w.resolve('stopped');
  }

  /** The host stops: every waiting request leaves the queue. */
  drain(): void {
    for (const w of this.waiting.splice(0)) w.resolve('stopped');
  }

  private remove(waiter: Waiter, admission: Admission): void {
    const i = this.waiting.indexOf(waiter);
    if (i >= 0) this.waiting.splice(i, 1);
    waiter.resolve(admission);
  }
}
