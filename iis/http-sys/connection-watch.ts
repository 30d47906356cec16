import type { Socket } from 'node:net';
import type { LabClock, TimerHandle } from '../../core/clock.ts';

export type ConnectionTimer = 'Timer_ConnectionIdle' | 'Timer_HeaderWait' | 'Timer_MinBytesPerSecond';

/** The http.sys that watches its connections. */
export interface Watcher {
  readonly clock: LabClock;
  readonly connectionTimeout: number;
  /** A connection's timer expired: http.sys closes it and logs why. */
  connectionExpired(socket: Socket, timer: ConnectionTimer): void;
}

/**
 * http.sys's wait for the next request on a connection (docs/reference.md §6.4-6.5): a connection with no
 * request in progress for `connectionTimeout` is closed, logged as Timer_ConnectionIdle, or as
 * Timer_HeaderWait when part of a request had arrived meanwhile but never its whole headers. The
 * two timers share the IIS connectionTimeout here (their http.sys defaults are both 120 s).
 */
export class ConnectionWatch {
  private timer: TimerHandle | undefined;
  private bytesAtIdle = 0;

  constructor(
    private readonly socket: Socket,
    private readonly watcher: Watcher,
  ) {}

  /** No request in progress: start waiting for the next one. */
  idle(): void {
    this.timer?.cancel();
    if (this.socket.destroyed) return;
    this.bytesAtIdle = this.socket.bytesRead;
    this.timer = this.watcher.clock.setTimer(this.watcher.connectionTimeout, this.expired);
  }

  /** One callback for every wait of the connection, not a closure per request. */
  private readonly expired = (): void => {
    this.timer = undefined;
    if (this.socket.destroyed) return;
    this.watcher.connectionExpired(this.socket, this.socket.bytesRead > this.bytesAtIdle ? 'Timer_HeaderWait' : 'Timer_ConnectionIdle');
  };

  /** A request arrived. */
  busy(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
}
