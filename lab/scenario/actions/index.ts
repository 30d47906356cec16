import type { Action } from './action.ts';
import appPool from './app-pool.ts';
import availability from './availability.ts';
import crash from './crash.ts';
import expectConnections from './expect-connections.ts';
import expectEvents from './expect-events.ts';
import expectFarm from './expect-farm.ts';
import fault from './fault.ts';
import heal from './heal.ts';
import health from './health.ts';
import httpSys from './http-sys.ts';
import leak from './leak.ts';
import offline from './offline.ts';
import online from './online.ts';
import script from './script.ts';
import settle from './settle.ts';
import slowReader from './slow-reader.ts';
import slowUpload from './slow-upload.ts';
import slowloris from './slowloris.ts';
import timeout from './timeout.ts';
import wait from './wait.ts';

/**
 * Every action a scenario step can name, in the order the reference lists them. Add an action:
 * one file beside this one, one line here.
 */
export const actions: readonly Action[] = [
  wait, settle, availability, health, script, online, expectFarm, expectEvents, crash, appPool, slowloris, slowUpload, slowReader, leak,
  expectConnections, fault, heal, timeout, offline, httpSys,
];

export const actionByKey: ReadonlyMap<string, Action> = new Map(actions.map((a) => [a.key, a]));
