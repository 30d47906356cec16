import TinyQueue from 'tinyqueue';
import { performance } from 'node:perf_hooks';

/**
 * The lab clock. Every wait in the lab (behaviour sleeps, proxy timeouts, health intervals,
 * http.sys timers) is a timer on this clock, so a 30 s timeout can run in 30 ms of wall time while
 * every artifact reports nominal time.
 *
 * Nominal time advances in two ways: at real speed (1x) while the lab does real work, and by jumps
 * when a timer fires (it becomes exactly the timer's due instant). Waiting is therefore compressed
 * by `scale` and real work is not, so a healthy request still logs a time-taken of a few ms.
 *
 * Guarantees within one process:
 * - timers fire in nominal order (due instant, then creation order), whatever the wall jitter;
 * - nominal time never passes a pending timer's due instant before that timer fires;
 * - between two firings the event loop turns at least `settleTurns` times, so the I/O a timer
 *   caused (a socket closed by a proxy timeout) is seen by its peer before the next timer fires.
 * The limit: real work that overlaps a compressed wait is carried along when the clock jumps, so a
 * request that is still being processed when an unrelated timer fires is logged as lasting until
 * that timer. Keep the scaled gaps (nominal gap x scale) well above the real work of a request.
 * Across processes only the scale is shared; pick one whose gaps dwarf the wall jitter.
 */
export interface ClockOptions {
  /** Wall seconds per nominal second: 1 is real time, 0.001 runs a 30 s wait in 30 ms. */
  scale: number;
  /** Nominal epoch milliseconds at start; defaults to the wall clock. */
  startAt?: number;
  /** Event-loop turns between two firings. */
  settleTurns?: number;
  /**
   * Deterministic mode: nominal time moves only when a timer fires, never with real work, so a
   * run's timestamps depend on the scenario alone (modelled processing time is zero).
   */
  frozen?: boolean;
  /**
   * Wall ms without lab activity (see `touch`) before a due timer may fire, so that real work in
   * flight (a request on its way to a member) finishes at the nominal instant it was in rather
   * than being carried along by the jump. Default: 10 ms frozen, 3 ms when compressed (scale below
   * 0.05), 0 near real time, where the gaps dwarf the work anyway.
   */
  quietMs?: number;
  /** The longest a due timer waits for quiet (wall ms), so constant load cannot starve timers. */
  maxHoldMs?: number;
}

export interface TimerHandle {
  cancel(): void;
  readonly due: number;
}

interface Timer {
  due: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

const byDue = (a: Timer, b: Timer) => a.due - b.due || a.seq - b.seq;

export class LabClock {
  readonly scale: number;
  readonly startedAt: number;
  private readonly settleTurns: number;
  private readonly frozen: boolean;
  private readonly quietMs: number;
  private readonly maxHoldMs: number;
  private lastActivity = 0;
  /** performance.now() when the armed head timer became due and began waiting for quiet. */
  private heldSince: number | undefined;
  private holds = 0;
  private inFlight: () => boolean = () => false;
  private virtual: number;
  private wallAtAdvance: number;
  private seq = 0;
  private live = 0;
  private queue = new TinyQueue<Timer>([], byDue);
  private wallTimer: NodeJS.Timeout | undefined;
  private armedFor: Timer | undefined;
  private pumpScheduled = false;
  private disposed = false;

  constructor(options: ClockOptions) {
    if (!(options.scale > 0) || !Number.isFinite(options.scale)) {
      throw new RangeError(`time scale must be a positive number, got ${options.scale}`);
    }
    this.scale = options.scale;
    this.startedAt = options.startAt ?? Date.now();
    this.virtual = this.startedAt;
    this.wallAtAdvance = performance.now();
    this.settleTurns = options.settleTurns ?? 2;
    this.frozen = options.frozen ?? false;
    this.quietMs = options.quietMs ?? (this.frozen ? 10 : this.scale < 0.05 ? 3 : 0);
    this.maxHoldMs = options.maxHoldMs ?? (this.frozen ? 2000 : 250);
  }

  /**
   * Lab activity happened: a connection, a request accepted or logged, bytes sent or received.
   * Due timers wait until the lab has been quiet for `quietMs`.
   */
  touch(): void {
    this.lastActivity = performance.now();
  }

  /** Tells the clock how to see real work in flight (bytes or connects between lab parties). */
  setInFlight(check: () => boolean): void {
    this.inFlight = check;
  }

  /**
   * Holds every timer until the returned release is called: for work that takes no nominal time
   * but real time (a scenario's steps between requests). Still bounded by `maxHoldMs`.
   */
  hold(): () => void {
    this.holds++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds--;
      this.touch();
    };
  }

  /** Nominal epoch milliseconds (fractional). */
  now(): number {
    if (this.frozen) return this.virtual;
    const t = this.virtual + (performance.now() - this.wallAtAdvance);
    const head = this.head();
    return head !== undefined && t > head.due ? head.due : t;
  }

  /** Nominal milliseconds since the clock started. */
  elapsed(): number {
    return this.now() - this.startedAt;
  }

  get pending(): number {
    return this.live;
  }

  setTimer(delayMs: number, fn: () => void): TimerHandle {
    if (this.disposed) throw new Error('lab clock is disposed');
    const now = this.now();
    const delay = Number.isFinite(delayMs) && delayMs > 0 ? delayMs : 0;
    const timer: Timer = {
      due: now + delay,
      seq: this.seq++,
      fn,
      cancelled: false,
    };
    const previousHead = this.head();
    this.queue.push(timer);
    this.live++;
    if (previousHead === undefined || timer.due < previousHead.due) this.arm();
    return {
      due: timer.due,
      cancel: () => {
        if (timer.cancelled) return;
        timer.cancelled = true;
        this.live--;
        this.compact();
      },
    };
  }

  /** Resolves after `ms` nominal milliseconds; rejects with the signal's reason if aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        handle.cancel();
        reject(signal!.reason);
      };
      const handle = this.setTimer(ms, () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Cancels every pending timer; callbacks never run and the clock accepts no new timers. */
  dispose(): void {
    this.disposed = true;
    if (this.wallTimer) clearTimeout(this.wallTimer);
    this.wallTimer = undefined;
    while (this.queue.length) this.queue.pop()!.cancelled = true;
    this.live = 0;
  }

  /**
   * Cancelled timers leave the heap lazily, when they reach its top; a proxy cancels one per
   * request phase, 30 s before it would surface, so under load they would pile up. Once they
   * outnumber the live ones the heap is rebuilt from the live timers.
   */
  private compact(): void {
    const dead = this.queue.length - this.live;
    if (dead < 1024 || dead < this.live) return;
    this.queue = new TinyQueue(this.queue.data.slice(0, this.queue.length).filter((t) => !t.cancelled), byDue);
  }

  private head(): Timer | undefined {
    let t = this.queue.peek();
    while (t !== undefined && t.cancelled) {
      this.queue.pop();
      t = this.queue.peek();
    }
    return t;
  }

  /**
   * Waits, in wall time, the scaled nominal distance from now to the head timer. The wait is
   * measured from nominal progress, not from when the timer was set, so a stalled event loop does
   * not collapse the nominal gaps between timers.
   */
  private arm(): void {
    if (this.pumpScheduled || this.disposed) return;
    if (this.wallTimer) clearTimeout(this.wallTimer);
    this.wallTimer = undefined;
    const head = this.head();
    if (head !== this.armedFor) this.heldSince = undefined;
    this.armedFor = head;
    if (head === undefined) return;
    const wait = (head.due - this.now()) * this.scale;
    if (wait < 1) {
      this.schedulePump();
    } else {
      this.wallTimer = setTimeout(() => {
        this.wallTimer = undefined;
        this.schedulePump();
      }, Math.ceil(wait));
    }
  }

  private schedulePump(): void {
    if (this.pumpScheduled || this.disposed) return;
    this.pumpScheduled = true;
    let turns = this.settleTurns;
    const turn = () => {
      if (this.disposed) return;
      if (--turns > 0) {
        setImmediate(turn);
        return;
      }
      this.pumpScheduled = false;
      this.fireHead();
    };
    setImmediate(turn);
  }

  private fireHead(): void {
    const head = this.head();
    if (head === undefined) return;
    if (head !== this.armedFor) {
      this.arm();
      return;
    }
    const wall = performance.now();
    const quietFor = wall - this.lastActivity;
    this.heldSince ??= wall;
    const busy = this.holds > 0 || (this.quietMs > 0 && this.inFlight());
    if ((busy || quietFor < this.quietMs) && wall - this.heldSince < this.maxHoldMs) {
      this.wallTimer = setTimeout(() => {
        this.wallTimer = undefined;
        this.schedulePump();
      }, Math.max(1, Math.ceil(this.quietMs - quietFor)));
      return;
    }
    this.heldSince = undefined;
    this.queue.pop();
    this.live--;
    head.cancelled = true;
    this.virtual = Math.max(this.now(), head.due);
    this.wallAtAdvance = performance.now();
    // What the timer sets off (a probe, a response) is activity the next timer waits out.
    this.touch();
    try {
      head.fn();
    } finally {
      this.arm();
    }
  }
}

/** Formats nominal epoch ms for log directives and fields (UTC). */
let lastSecond = NaN;
let lastParts = { date: '', time: '', yymmdd: '' };

/** UTC date and time of a nominal instant, to the second (log lines ask for the same second a lot). */
export function utcParts(epochMs: number): { date: string; time: string; yymmdd: string } {
  const second = Math.floor(epochMs / 1000);
  if (second !== lastSecond) {
    const iso = new Date(second * 1000).toISOString();
    lastSecond = second;
    lastParts = { date: iso.slice(0, 10), time: iso.slice(11, 19), yymmdd: iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10) };
  }
  return lastParts;
}
