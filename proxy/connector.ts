import { connect as netConnect, type Socket } from 'node:net';
import type { LabClock } from '../core/clock.ts';
import { labError, type Phase } from './failure.ts';
import type { MemberDirectory } from './member-directory.ts';
import { sendLikeWinHttp } from './winhttp-wire.ts';

export interface ConnectTimeouts {
  resolve: number;
  connect: number;
  /** When the OS gives up on an unanswered SYN (WSAETIMEDOUT); 0 or unset: never before `connect`. */
  synGiveUp?: number;
}

type Callback = (err: Error | null, socket: Socket | null) => void;

/** Marks which WinHTTP phase an error came from; the forwarder reads it back. */
export function tagPhase<E extends Error>(err: E, phase: Phase): E {
  return Object.assign(err, { labPhase: phase });
}

export function phaseOf(err: unknown): Phase | undefined {
  return (err as { labPhase?: Phase } | null)?.labPhase;
}

/**
 * undici's connector for the lab: names resolve through the lab's directory and both the resolve
 * and the connect phases are timed on the lab clock, each with its own timeout, as WinHTTP's
 * ResolveTimeout and ConnectTimeout are.
 */
export function labConnector(
  directory: MemberDirectory,
  clock: LabClock,
  timeouts: () => ConnectTimeouts,
  /** Told of every connection made (deterministic runs give it a modelled source port). */
  onConnected?: (socket: Socket) => void,
) {
  return (opts: { hostname: string; port: string | number }, callback: Callback): void => {
    const limits = timeouts();
    let done = false;
    let socket: Socket | undefined;
    const lookup = new AbortController();
    const finish = (err: Error | null, phase: Phase) => {
      if (done) return;
      done = true;
      timer.cancel();
      // A lookup still waiting (a scripted delay, a name that never answers) is abandoned with us.
      lookup.abort(err ?? new Error('resolved'));
      if (err) {
        socket?.destroy();
        callback(tagPhase(err, phase), null);
      } else {
        callback(null, socket!);
      }
    };
    let timer = clock.setTimer(limits.resolve, () => finish(labError('timeout', 'resolve timeout', 'LAB_TIMEOUT'), 'resolve'));
    directory.locate(opts.hostname, Number(opts.port), lookup.signal).then(
      (endpoint) => {
        if (done) return;
        timer.cancel();
        // Whichever ends the connect first: WinHTTP's timer, or the OS giving up on the SYN.
        const os = limits.synGiveUp !== undefined && limits.synGiveUp > 0 && limits.synGiveUp < limits.connect;
        timer = os
          ? clock.setTimer(limits.synGiveUp!, () => finish(labError('unanswered', 'connect ETIMEDOUT: no answer to the SYN', 'ETIMEDOUT'), 'connect'))
          : clock.setTimer(limits.connect, () => finish(labError('timeout', 'connect timeout', 'LAB_TIMEOUT'), 'connect'));
        const s = netConnect({ host: endpoint.host, port: endpoint.port });
        socket = s;
        const onError = (err: Error) => finish(err, 'connect');
        s.once('error', onError);
        s.once('connect', () => {
          s.off('error', onError);
          s.setNoDelay(true);
          sendLikeWinHttp(s);
          onConnected?.(s);
          finish(null, 'connect');
        });
      },
      (err: Error) => finish(err, 'resolve'),
    );
  };
}
