import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { Agent, type Dispatcher } from 'undici';
import type { LabClock, TimerHandle, Timeline } from '../core/clock.ts';
import { labConnector, phaseOf, type ConnectTimeouts } from './connector.ts';
import { kindOf, labError, type Failure, type Phase, type WinHttpCalls } from './failure.ts';
import type { MemberDirectory } from './member-directory.ts';
import type { HeaderPair } from '../iis/request-headers.ts';

/** WinHTTP's four timeouts, in nominal ms. */
export interface PhaseTimeouts extends ConnectTimeouts {
  send: number;
  receive: number;
}

export interface ForwardSpec {
  address: string;
  port: number;
  method: string;
  path: string;
  /** In the order and with the names WinHTTP sends them. */
  headers: HeaderPair[];
  body: Readable | null;
  /** Close the member connection after this request (protocol keepAlive="false"). */
  reset: boolean;
  /** The key the member receives this request under (its X-ARR-LOG-ID), for the lab clock. */
  key?: string;
}

/** Receives what comes back from the member. Returning false from onData pauses the member. */
export interface ForwardSink {
  onResponse(status: number, statusText: string, rawHeaders: Buffer[], resume: () => void): void;
  onData(chunk: Buffer): boolean;
  onComplete(): void;
  onFailure(failure: Failure): void;
}

export interface ForwardHandle {
  abort(reason: Error): void;
}

/**
 * The forwarder is the lab's WinHTTP: undici does the HTTP, the lab clock times each phase.
 * Phases follow undici's request lifecycle: connect (until a socket is ready, including name
 * resolution), send (until the request is written), receive-headers (until the status line and
 * headers are parsed; the receive timeout runs here), receive-body (the receive timeout re-arms
 * on every chunk). undici's own real-time timeouts are off so the lab clock alone decides.
 */
export class Forwarder {
  private readonly agent: Agent;

  constructor(
    private readonly clock: LabClock,
    directory: MemberDirectory,
    private readonly timeouts: () => PhaseTimeouts,
    maxHeaderSize: number,
    onConnected?: (socket: Socket) => void,
  ) {
    this.agent = new Agent({
      connect: labConnector(directory, clock, timeouts, onConnected) as never,
      pipelining: 1,
      headersTimeout: 0,
      bodyTimeout: 0,
      maxHeaderSize,
    });
  }

  /** `timeouts` overrides the farm's phase timeouts for this request (a health probe's own timeout). */
  forward(spec: ForwardSpec, sink: ForwardSink, timeouts: PhaseTimeouts = this.timeouts()): ForwardHandle {
    // The member's timeline starts from this request's; what it waits for is heard back here.
    if (spec.key !== undefined) this.clock.offer(spec.key);
    const exchange = new Exchange(this.clock, timeouts, sink, this.clock.timeline(), spec.key);
    this.agent.dispatch(
      {
        origin: `http://${spec.address}:${spec.port}`,
        method: spec.method as Dispatcher.HttpMethod,
        path: spec.path,
        headers: flatHeaders(spec.headers),
        body: spec.body ? Readable.from(lazyBody(spec.body), { objectMode: false }) : null,
        reset: spec.reset,
      },
      exchange as unknown as Dispatcher.DispatchHandler,
    );
    return exchange;
  }

  async close(): Promise<void> {
    await this.agent.destroy();
  }
}

/** `[name, value, name, value, ...]`, as undici takes headers. */
function flatHeaders(pairs: readonly HeaderPair[]): string[] {
  const out: string[] = [];
  for (const [name, value] of pairs) out.push(name, value);
  return out;
}

/**
 * The client's request body as undici reads it: only once the member connection is up, so a
 * resolve or connect failure leaves it whole for another member (retryOnConnectFailure), and
 * never destroyed when the trip fails (undici destroys the stream it was given; destroying the
 * client's request would drop the client connection before ARR's error page could be sent).
 */
async function* lazyBody(body: Readable): AsyncGenerator<Buffer> {
  for await (const chunk of body.iterator({ destroyOnReturn: false })) yield chunk as Buffer;
}

/** One request's trip through undici (legacy handler API: it reports onRequestSent and the first response byte). */
class Exchange implements ForwardHandle {
  phase: Phase = 'connect';
  responseStarted = false;
  private abortFn: ((err: Error) => void) | undefined;
  private pendingAbort: Error | undefined;
  private timer: TimerHandle | undefined;
  private settled = false;
  private readonly calls: WinHttpCalls;

  constructor(
    private readonly clock: LabClock,
    private readonly timeouts: PhaseTimeouts,
    private readonly sink: ForwardSink,
    /** undici calls back from its own sockets: each callback runs on the request's timeline. */
    private readonly timeline: Timeline | undefined,
    private readonly key: string | undefined,
  ) {
    this.calls = { send: clock.now() };
  }

  abort(reason: Error): void {
    if (this.abortFn) this.abortFn(reason);
    else this.pendingAbort = reason;
  }

  onConnect(abort: (err: Error) => void): void {
    this.abortFn = abort;
    if (this.pendingAbort) return abort(this.pendingAbort);
    this.within(() => this.enter('send', this.timeouts.send));
  }

  onRequestSent(): void {
    this.within(() => {
      this.calls.receive = this.clock.now();
      this.enter('receive-headers', this.timeouts.receive);
    });
  }

  onResponseStarted(): void {
    this.responseStarted = true;
  }

  onHeaders(status: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    this.within(() => {
      this.clock.heard(this.key);
      this.calls.read = this.clock.now();
      this.enter('receive-body', this.timeouts.receive);
      this.sink.onResponse(status, statusText, rawHeaders, resume);
    });
    return true;
  }

  onData(chunk: Buffer): boolean {
    return this.within(() => {
      this.calls.read = this.clock.now();
      this.arm(this.timeouts.receive);
      return this.sink.onData(chunk);
    });
  }

  onComplete(): void {
    this.within(() => {
      this.settle();
      this.sink.onComplete();
    });
  }

  onError(err: Error): void {
    this.within(() => {
      this.settle();
      const { kind, code, message } = kindOf(err);
      this.sink.onFailure({ phase: phaseOf(err) ?? this.phase, kind, responseStarted: this.responseStarted, code, message, calls: { ...this.calls } });
    });
  }

  private within<T>(fn: () => T): T {
    return this.timeline ? this.timeline.run(fn) : fn();
  }

  onUpgrade(): void {
    this.onError(labError('other', 'upgrade is not supported by the lab forwarder'));
  }

  private enter(phase: Phase, timeout: number): void {
    this.phase = phase;
    this.arm(timeout);
  }

  private arm(timeout: number): void {
    this.timer?.cancel();
    if (this.settled) return;
    const phase = this.phase;
    this.timer = this.clock.setTimer(timeout, () => {
      this.abortFn?.(labError('timeout', `${phase} timeout`, 'LAB_TIMEOUT'));
    });
  }

  private settle(): void {
    // The member's reset or last byte came at its own instant, maybe after a wait of its own.
    this.clock.heard(this.key);
    this.clock.withdraw(this.key);
    this.settled = true;
    this.timer?.cancel();
    this.timer = undefined;
  }
}
