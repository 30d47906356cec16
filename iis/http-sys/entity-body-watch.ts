import type { LabClock, TimerHandle } from '../../core/clock.ts';
import type { HostRequest } from '../host-request.ts';

/** The http.sys that times request bodies. */
export interface EntityBodyWatcher {
  readonly clock: LabClock;
  readonly connectionTimeout: number;
  /** Logs a request that ends here (an HTTPERR line). */
  log(request: HostRequest): void;
}

/**
 * Timer_EntityBody on one request: its body stops arriving for connectionTimeout. Progress is
 * read off the connection, never by reading the body (a 'data' listener would take it from the
 * page): bytes that arrived re-arm the timer, and so do bytes the page has not read yet (a page
 * that leaves the body unread is not the client being slow). http.sys ends the connection and the
 * request is its HTTPERR line. A body read to its end has nothing left to time, so the timer goes
 * then rather than lingering until it would have found the body ended.
 */
export class EntityBodyWatch {
  private timer: TimerHandle | undefined;
  private mark: number;

  constructor(
    private readonly watcher: EntityBodyWatcher,
    private readonly request: HostRequest,
  ) {
    this.mark = request.socket.bytesRead;
    this.arm();
    request.req.body!.once('end', () => this.cancel());
  }

  cancel(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private arm(): void {
    this.timer = this.watcher.clock.setTimer(this.watcher.connectionTimeout, () => this.expire());
  }

  private expire(): void {
    const { request } = this;
    const { socket } = request;
    const body = request.req.body!;
    if (body.readableEnded || request.logged || socket.destroyed) return;
    if (socket.bytesRead !== this.mark || body.readableLength > 0) {
      this.mark = socket.bytesRead;
      return this.arm();
    }
    request.drop('Timer_EntityBody', 'none', { clientFault: true });
    socket.destroy();
    this.watcher.log(request);
  }
}
