import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Socket } from 'node:net';
import type { LabClock } from '../core/clock.ts';
import { socketLedger } from '../core/socket-ledger.ts';

/**
 * Feeds undici's diagnostics channels (connects, requests sent, headers and body chunks received,
 * errors) to the lab clocks as activity, so a due timer waits while a request is on its way from
 * one host to another. The channels are process-wide: every running lab's clock is touched, which
 * at worst makes a timer of another lab wait a few milliseconds more.
 */
const CHANNELS = [
  'undici:client:beforeConnect',
  'undici:client:connected',
  'undici:client:connectError',
  'undici:client:sendHeaders',
  'undici:request:bodySent',
  'undici:request:headers',
  'undici:request:bodyChunkReceived',
  'undici:request:trailers',
  'undici:request:error',
];

const clocks = new Set<LabClock>();

function onActivity(): void {
  for (const clock of clocks) clock.touch();
}

/** undici's connects, into the socket ledger (the lab's hosts report their side themselves). */
const LEDGER: [string, (message: unknown) => void][] = [
  ['undici:client:beforeConnect', () => socketLedger.connectStarted()],
  ['undici:client:connected', (m) => socketLedger.connectEnded((m as { socket: Socket }).socket)],
  ['undici:client:connectError', () => socketLedger.connectEnded(undefined)],
];

export function watchActivity(clock: LabClock): () => void {
  if (clocks.size === 0) {
    for (const name of CHANNELS) subscribe(name, onActivity);
    for (const [name, fn] of LEDGER) subscribe(name, fn);
  }
  clocks.add(clock);
  clock.setInFlight(() => socketLedger.busy());
  return () => {
    if (!clocks.delete(clock)) return;
    if (clocks.size === 0) {
      for (const name of CHANNELS) unsubscribe(name, onActivity);
      for (const [name, fn] of LEDGER) unsubscribe(name, fn);
    }
  };
}
