import type { Behaviour } from '../behaviour.ts';
import closeWithoutResponse from './close-without-response.ts';
import echo from './echo.ts';
import flushThenClose from './flush-then-close.ts';
import readBody from './read-body.ts';
import respond from './respond.ts';
import sendRaw from './send-raw.ts';
import sleep from './sleep.ts';
import stopReading from './stop-reading.ts';

/** Every behaviour a script can name. Add a behaviour: one file beside this one, one line here. */
export const behaviours: readonly Behaviour[] = [respond, sleep, closeWithoutResponse, flushThenClose, sendRaw, echo, stopReading, readBody] as Behaviour[];

export const behaviourByName: ReadonlyMap<string, Behaviour> = new Map(behaviours.map((b) => [b.name, b]));
