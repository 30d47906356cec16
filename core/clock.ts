import { AsyncLocalStorage } from 'node:async_hooks';
import TinyQueue from 'tinyqueue';
import { performance } from 'node:perf_hooks';

/**
 * The lab clock. Every wait in the lab (behaviour sleeps, proxy timeouts, health intervals,
 * http.sys timers) is a timer on this clock, so a 30 s timeout can run in 30 ms of wall time while
 * every artifact reports nominal time. docs/time.md gives the design and its guarantees; in short:
 *
 * - Timers fire on time (their due instant scaled to wall time) and in nominal order (due instant,
 *   then creation order), whatever the wall jitter and whatever else the lab is doing.
 * - Each request has a timeline of its own: it starts where its sender's stood when the request
 *   arrived (the scenario client, ARR, or the lab's frontier for a client outside the lab), moves
 *   at real speed while the request does real work, and jumps only when a timer *it* set fires
 *   (its own sleep, its own timeout) or when it learns of a later instant from the party it waited
 *   on. Another timer's jump is never charged to it.
 * - A timer waits, for a few event-loop turns at most, for scenario traffic stamped before its due
 *   instant that is still on its way between lab hosts (a burst the scenario sent at one instant
 *   reaches the members before any of them finishes a sleep). The wait is counted in turns, not in
 *   milliseconds, so a busy machine makes it slower but never longer in turns, and traffic from
 *   outside the lab (a load generator) never holds a timer.
 */
export interface ClockOptions {
  /** Wall seconds per nominal second: 1 is real time, 0.001 runs a 30 s wait in 30 ms. */
  scale: number;
  /** Nominal epoch milliseconds at start; defaults to the wall clock. */
  startAt?: number;
  /** Event-loop turns between two firings, so the I/O a timer caused is seen before the next one fires. */
  settleTurns?: number;
  /**
   * Deterministic mode: real work takes no nominal time, so a run's timestamps depend on the
   * scenario alone (modelled processing time is zero).
   */
  frozen?: boolean;
}

export interface TimerHandle {
  cancel(): void;
  readonly due: number;
}

/** How a run kept its timing: written into results and manifests. */
export interface TimingReport {
  /** Timers that fired. */
  timers: number;
  /** Timers that fired more than LATE_WALL_MS of wall time after their scaled deadline. */
  late: number;
  /** The worst lateness in wall ms, and what it stands for in nominal ms at this scale. */
  maxLateWallMs: number;
  maxLateNominalMs: number;
  /** Holds for in-flight scenario traffic that ran out of turns before the traffic arrived. */
  holdsExpired: number;
}

/** Wall lateness past which a timer counts as late: the jitter of a busy 2-core machine. */
export const LATE_WALL_MS = 20;

/**
 * Event-loop turns a chain may keep a timer waiting without moving on. A loopback hop takes a
 * handful; a chain that needs more is stuck on something only a timer can end (a SYN to a member
 * that never answers).
 */
const HOLD_TURNS = 64;

/** The timeline the current piece of work belongs to (propagated through awaits and timers). */
const current = new AsyncLocalStorage<Timeline>();

interface Point {
  now(): number;
}

/**
 * The causal chain of one scenario party (the runner, one lane of requests): every timeline its
 * requests start on the lab's hosts belongs to it. While one of them is working (not waiting on
 * the clock or on another party), or a request of it is on its way between hosts, the chain holds
 * back the timers due after the earliest of them: it may still cause something before they fire.
 */
class Chain {
  /** Working timelines and requests on their way. */
  readonly points = new Set<Point>();
  turns = 0;

  constructor(private readonly live: Set<Chain>) {}

  add(point: Point): void {
    this.points.add(point);
    this.live.add(this);
    this.turns = 0;
  }

  remove(point: Point): void {
    if (!this.points.delete(point)) return;
    this.turns = 0;
    if (this.points.size === 0) this.live.delete(this);
  }

  /** The earliest instant among its working points. */
  earliest(): number {
    let min = Infinity;
    for (const p of this.points) min = Math.min(min, p.now());
    return min;
  }
}

/**
 * One request's (or one party's) own nominal time: real work at 1x (none when frozen) plus the
 * waits it was blocked on.
 */
export class Timeline implements Point {
  private at: number;
  private wallMark: number;
  private working = false;
  private done = false;
  /** Its sender has not heard back yet: finishing leaves it working until the sender does. */
  awaited = false;

  constructor(
    readonly clock: LabClock,
    origin: number,
    readonly chain: Chain | undefined,
  ) {
    this.at = origin;
    this.wallMark = performance.now();
    this.resume();
  }

  now(): number {
    return this.clock.frozen ? this.at : this.at + (performance.now() - this.wallMark);
  }

  /** What this timeline waited for ended at `instant`: it cannot be earlier than that now. */
  reach(instant: number): void {
    if (instant > this.now()) {
      this.at = instant;
      this.wallMark = performance.now();
    }
  }

  /** Runs `fn` (and everything it awaits or schedules) on this timeline. */
  run<T>(fn: () => T): T {
    return current.run(this, fn);
  }

  /** It waits on the clock or on another party: it no longer holds timers. */
  park(): void {
    if (!this.working) return;
    this.working = false;
    this.chain?.remove(this);
  }

  /** It works again (a timer of its own fired, an answer came). */
  resume(): void {
    if (this.working || this.done) return;
    this.working = true;
    this.chain?.add(this);
  }

  /** Waits for `work` (another party's) without holding timers meanwhile. */
  async during<T>(work: Promise<T>): Promise<T> {
    this.park();
    try {
      return await work;
    } finally {
      this.resume();
    }
  }

  /** Its work is over (a request logged). Its answer may still be on its way to the sender. */
  finish(): void {
    this.done = true;
    if (!this.awaited) this.park();
  }

  /** The sender heard back or gave up: nothing of this timeline is on its way any more. */
  settled(): void {
    this.awaited = false;
    if (this.done) this.park();
  }
}

const NOTHING = (): void => {};

/**
 * A pending wait, and its own handle: a held request keeps one or two for as long as it is held,
 * so it is one object (no closure per timer), and it lets go of its callback once it can no
 * longer run (what the callback holds is freed with it, even before the heap drops the entry).
 */
class Timer implements TimerHandle {
  cancelled = false;

  constructor(
    private readonly clock: LabClock,
    readonly due: number,
    readonly seq: number,
    public fn: () => void,
    public timeline: Timeline | undefined,
  ) {}

  cancel(): void {
    if (this.cancelled) return;
    this.retire();
    this.clock.cancelled();
  }

  /** It fired or was cancelled. */
  retire(): void {
    this.cancelled = true;
    this.fn = NOTHING;
    this.timeline = undefined;
  }
}

/** A request on its way from one lab host to another: who sent it, from which instant. */
class Offer implements Point {
  constructor(
    readonly sender: Timeline,
    private readonly stamp: number,
  ) {}

  now(): number {
    return this.stamp;
  }
}

/**
 * One `sleep`: the timer resolves it; its signal's abort rejects it and cancels the timer. A held
 * page keeps one, so it is one object, with no abort listener of its own: the sleeps waiting on a
 * signal are woken by the one listener their set has.
 */
class Sleep {
  timer: TimerHandle | undefined;

  constructor(
    private readonly resolve: () => void,
    readonly reject: (reason: unknown) => void,
    private readonly sleepers: Set<Sleep> | undefined,
  ) {}

  wake(): void {
    this.sleepers?.delete(this);
    this.resolve();
  }
}

const byDue = (a: Timer, b: Timer) => a.due - b.due || a.seq - b.seq;

export class LabClock {
  readonly scale: number;
  readonly startedAt: number;
  readonly frozen: boolean;
  private readonly settleTurns: number;
  /** The lab's frontier: the last fired due instant, plus real time since (none when frozen). */
  private virtual: number;
  private wallAtAdvance: number;
  private seq = 0;
  private live = 0;
  private queue = new TinyQueue<Timer>([], byDue);
  private wallTimer: NodeJS.Timeout | undefined;
  private armedFor: Timer | undefined;
  /** Wall instant the armed head timer is due at. */
  private deadline = 0;
  private pumpScheduled = false;
  private disposed = false;
  private halted = false;
  /** Pauses in force (see pause): no timer fires and the frontier stands still. */
  private pauses = 0;
  /** Once it holds, the next due timer halts the clock instead of firing (see haltWhen). */
  private haltCondition: (() => boolean) | undefined;
  /** Chains with working points. */
  private readonly chains = new Set<Chain>();
  private readonly offers = new Map<string, Offer>();
  /** Receivers' timelines by offer key, until the sender withdraws the offer. */
  private readonly answers = new Map<string, Timeline>();
  private readonly sleepers = new WeakMap<AbortSignal, Set<Sleep>>();
  private readonly report: TimingReport = { timers: 0, late: 0, maxLateWallMs: 0, maxLateNominalMs: 0, holdsExpired: 0 };

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
  }

  /** Nominal epoch milliseconds (fractional) of the current timeline, or of the lab's frontier. */
  now(): number {
    return this.timeline()?.now() ?? this.frontier();
  }

  /** Nominal milliseconds since the clock started. */
  elapsed(): number {
    return this.now() - this.startedAt;
  }

  /**
   * The lab's own time, outside any request: where a request from outside the lab starts. It never
   * passes a pending timer's due instant before that timer fires.
   */
  frontier(): number {
    if (this.frozen || this.halted || this.pauses > 0) return this.virtual;
    const t = this.virtual + (performance.now() - this.wallAtAdvance);
    const head = this.head();
    // A timeline behind the frontier may set a timer due before it; the frontier never goes back.
    const cap = head === undefined ? Infinity : Math.max(this.virtual, head.due);
    return t > cap ? cap : t;
  }

  /** The timeline the caller runs on, if it is one of this clock's. */
  timeline(): Timeline | undefined {
    const t = current.getStore();
    return t?.clock === this ? t : undefined;
  }

  /**
   * A new timeline starting at `origin` (default: now, on the caller's timeline or the frontier),
   * in the caller's chain; a `party` (the scenario runner, a lane of its requests) starts a chain
   * of its own.
   */
  begin(origin = this.now(), party = false): Timeline {
    return new Timeline(this, origin, party ? new Chain(this.chains) : this.timeline()?.chain);
  }

  /** Binds `fn` to the caller's timeline, for callbacks that other code (sockets, undici) calls later. */
  bind<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
    const t = this.timeline();
    return t ? (...args: A) => t.run(() => fn(...args)) : fn;
  }

  /**
   * The caller sends a request that another lab host will receive under `key` (the scenario's
   * marker header, ARR's X-ARR-LOG-ID). Until it is received, the clock's timers wait for it (a
   * few turns at most); the receiver's timeline starts where the sender's stands then. Only lab
   * parties offer: traffic from outside the lab never holds a timer. Every offer is withdrawn by
   * its sender when the trip ends.
   */
  offer(key: string): void {
    const sender = this.timeline();
    if (!sender) return;
    const offer = new Offer(sender, sender.now());
    this.offers.set(key, offer);
    sender.chain?.add(offer);
    sender.park();
  }

  /** The sender's trip ended (answered, failed, given up): nothing of it is awaited any more. */
  withdraw(key: string | undefined): void {
    if (key === undefined) return;
    const offer = this.offers.get(key);
    this.offers.delete(key);
    if (offer) offer.sender.chain?.remove(offer);
    this.answers.get(key)?.settled();
    this.answers.delete(key);
    this.timeline()?.resume();
  }

  /**
   * The sender heard back (a response, a reset) from the host that received `key`: its timeline
   * cannot be earlier than the receiver's, which may have waited (a page's sleep) meanwhile.
   */
  heard(key: string | undefined): void {
    const receiver = key === undefined ? undefined : this.answers.get(key);
    const sender = this.timeline();
    if (receiver) sender?.reach(receiver.now());
    sender?.resume();
  }

  /**
   * A host received a request: its timeline starts where the sender's stands (the frontier for a
   * sender outside the lab), in the sender's chain.
   */
  receive(key: string | undefined): { timeline: Timeline; sender: Timeline | undefined } {
    const offer = key === undefined ? undefined : this.offers.get(key);
    if (!offer) return { timeline: new Timeline(this, this.frontier(), undefined), sender: undefined };
    this.offers.delete(key!);
    const timeline = new Timeline(this, offer.sender.now(), offer.sender.chain);
    timeline.awaited = true;
    offer.sender.chain?.remove(offer);
    this.answers.set(key!, timeline);
    return { timeline, sender: offer.sender };
  }

  get pending(): number {
    return this.live;
  }

  /** How the run kept its timing so far. */
  timing(): TimingReport {
    return { ...this.report, maxLateWallMs: round1(this.report.maxLateWallMs), maxLateNominalMs: Math.round(this.report.maxLateNominalMs) };
  }

  /**
   * Calls `fn` `delayMs` nominal ms from now on the caller's timeline; `fn` runs on that timeline,
   * which then stands at the due instant.
   */
  setTimer(delayMs: number, fn: () => void): TimerHandle {
    if (this.disposed) throw new Error('lab clock is disposed');
    const timeline = this.timeline();
    const delay = Number.isFinite(delayMs) && delayMs > 0 ? delayMs : 0;
    const timer = new Timer(this, (timeline?.now() ?? this.frontier()) + delay, this.seq++, fn, timeline);
    const previousHead = this.head();
    this.queue.push(timer);
    this.live++;
    if (previousHead === undefined || byDue(timer, previousHead) < 0) this.arm();
    return timer;
  }

  /** A timer was cancelled (it stays in the heap until it surfaces or the heap is compacted). */
  cancelled(): void {
    this.live--;
    this.compact();
  }

  /**
   * Resolves after `ms` nominal milliseconds; rejects with the signal's reason if aborted. The
   * caller now waits on the clock, so its traffic no longer holds timers.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.timeline()?.park();
    return new Promise((resolve, reject) => {
      const sleepers = signal ? this.sleepersOf(signal) : undefined;
      const sleep = new Sleep(resolve, reject, sleepers);
      sleep.timer = this.setTimer(ms, () => sleep.wake());
      sleepers?.add(sleep);
    });
  }

  /** The sleeps waiting on `signal`, with the one abort listener that rejects them all, in the order they began. */
  private sleepersOf(signal: AbortSignal): Set<Sleep> {
    let sleepers = this.sleepers.get(signal);
    if (!sleepers) {
      const set = new Set<Sleep>();
      sleepers = set;
      this.sleepers.set(signal, set);
      signal.addEventListener(
        'abort',
        () => {
          for (const sleep of set) {
            sleep.timer?.cancel();
            sleep.reject(signal.reason);
          }
          set.clear();
        },
        { once: true },
      );
    }
    return sleepers;
  }

  /**
   * The run is over: nominal time stops where it stands and no timer fires any more, while hosts
   * can still log what ends as they stop. Without it, the wall time a teardown takes (closing
   * sockets, a busy machine) would pass as nominal time and fire idle timers a quick teardown does not.
   */
  halt(): void {
    if (this.halted) return;
    this.virtual = this.frontier();
    this.halted = true;
    if (this.wallTimer) clearTimeout(this.wallTimer);
    this.wallTimer = undefined;
  }

  /**
   * Stops nominal time until the returned function is called: no timer fires and the frontier
   * stands still, so a change that is instant in the model (a member taken offline, a setting
   * changed) takes no nominal time however long its wall-time work takes (starting a helper
   * process on a busy machine). What is paused must not wait for a timer of this clock.
   */
  pause(): () => void {
    if (this.pauses++ === 0) {
      this.virtual = this.frontier();
      if (this.wallTimer) clearTimeout(this.wallTimer);
      this.wallTimer = undefined;
      this.armedFor = undefined;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.pauses > 0) return;
      this.wallAtAdvance = performance.now();
      this.arm();
    };
  }

  /**
   * Halts the clock at the first due timer found with `done` true, instead of firing it. A run ends
   * when its work is done, not when its teardown happens to notice: a timer that only the wall
   * time of a busy machine brings due (a connection's idle timer) must not make it into the record.
   */
  haltWhen(done: () => boolean): void {
    this.haltCondition = done;
  }

  /** Cancels every pending timer; callbacks never run and the clock accepts no new timers. */
  dispose(): void {
    this.disposed = true;
    if (this.wallTimer) clearTimeout(this.wallTimer);
    this.wallTimer = undefined;
    while (this.queue.length) this.queue.pop()!.retire();
    this.live = 0;
    this.chains.clear();
    this.offers.clear();
    this.answers.clear();
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
   * Waits, in wall time, the scaled nominal distance from the frontier to the head timer. The wait
   * is measured from nominal progress, not from when the timer was set, so a stalled event loop
   * does not collapse the nominal gaps between timers.
   */
  private arm(): void {
    if (this.pumpScheduled || this.disposed || this.halted || this.pauses > 0) return;
    if (this.wallTimer) clearTimeout(this.wallTimer);
    this.wallTimer = undefined;
    const head = this.head();
    this.armedFor = head;
    if (head === undefined) return;
    const wait = Math.max(0, (head.due - this.frontier()) * this.scale);
    this.deadline = performance.now() + wait;
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
      if (this.disposed || this.halted || this.pauses > 0) {
        // A pause re-arms when it ends.
        this.pumpScheduled = false;
        return;
      }
      if (--turns > 0 || this.held()) {
        setImmediate(turn);
        return;
      }
      this.pumpScheduled = false;
      this.fireHead();
    };
    setImmediate(turn);
  }

  /**
   * Whether some chain may still cause something before the head timer. Each look costs such a
   * chain a turn; a chain out of turns stops holding until it moves again.
   */
  private held(): boolean {
    const head = this.head();
    if (head === undefined) return false;
    let held = false;
    for (const chain of this.chains) {
      if (chain.turns > HOLD_TURNS || chain.earliest() >= head.due) continue;
      if (++chain.turns > HOLD_TURNS) {
        this.report.holdsExpired++;
        continue;
      }
      held = true;
    }
    return held;
  }

  private fireHead(): void {
    const head = this.head();
    if (head === undefined) return;
    if (head !== this.armedFor) {
      this.arm();
      return;
    }
    if (this.haltCondition?.()) {
      this.halt();
      return;
    }
    const late = performance.now() - this.deadline;
    this.report.timers++;
    if (late > LATE_WALL_MS) this.report.late++;
    if (late > this.report.maxLateWallMs) {
      this.report.maxLateWallMs = late;
      this.report.maxLateNominalMs = late / this.scale;
    }
    this.queue.pop();
    this.live--;
    const { fn, timeline } = head;
    head.retire();
    this.virtual = Math.max(this.frontier(), head.due);
    this.wallAtAdvance = performance.now();
    try {
      if (timeline) {
        timeline.reach(head.due);
        timeline.resume();
        timeline.run(fn);
      } else {
        fn();
      }
    } finally {
      this.arm();
    }
  }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
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
