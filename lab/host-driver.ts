import type { LabClock } from '../core/clock.ts';
import type { IdSource } from '../core/ids.ts';
import type { AddressBook } from '../core/address-book.ts';
import type { TimeTakenModel } from '../iis/log-records.ts';
import type { FrebRule } from '../iis/freb/freb-log.ts';
import type { ErrorMode } from '../iis/detailed-error-page.ts';
import type { AppPoolState } from '../iis/http-sys/app-pool-state.ts';
import type { WindowsVersion } from '../iis/windows-versions.ts';
import type { HttpSysChange, HttpSysSettings } from '../iis/http-sys/settings.ts';
import type { Script } from '../backends/script.ts';
import type { NonPagedPoolSettings } from '../iis/http-sys/nonpaged-pool.ts';
import type { LoggedRequest } from '../iis/log-records.ts';
import type { Availability, FarmConfig } from '../proxy/farm-config.ts';
import type { FarmEvent } from '../proxy/farm-events.ts';
import type { HealthProbe } from '../proxy/health-monitor.ts';
import type { CounterState, ServerCounters } from '../proxy/server-state.ts';
import type { StaticDirectory } from '../proxy/member-directory.ts';
import type { Fault } from './containers/faults.ts';

/**
 * How the lab starts a host. Specs and settings are parsed values, taken as they are: a host can
 * be started in this process, in a child process or in a container behind the same interface
 * (lab/in-process-driver.ts, lab/containers/container-driver.ts). A remote host answers over the
 * wire, so the calls that change a host may return a promise.
 */
export type HostSpec =
  | { kind: 'member'; name: string; script: Script; offline: Offline }
  | { kind: 'controller'; name: string; farm: FarmConfig };

/** `true`: nothing listens, connections are refused; `'silent'`: SYNs go unanswered (lab/silent-port.ts). */
export type Offline = boolean | 'silent';

export interface HostContext {
  /** The host's system drive: its artifacts are written below it. */
  root: string;
  clock: LabClock;
  ids: IdSource;
  /** Failed Request Tracing rule for the host's site. */
  freb: FrebRule;
  /** httpErrors/@errorMode of the host's site; default DetailedLocalOnly. */
  errorMode?: ErrorMode;
  /** Keep every log record in memory (default); off for long-running or load labs. */
  retainRecords?: boolean;
  /** The host's http.sys and app-pool limits; IIS defaults when unset. */
  httpSys?: HttpSysSettings;
  /** The host's modelled nonpaged pool; defaults when unset. */
  nonPagedPool?: NonPagedPoolSettings;
  /** The Windows Server version the host claims (IIS version, HTTPERR fields...). */
  windows?: WindowsVersion;
  /** Deterministic runs: modelled addresses (the host's own IP, and the book every party shares). */
  addresses?: { book: AddressBook; ip: string };
  /** Deterministic runs: the modelled spread of time-taken (lab/jitter.ts). */
  timeTaken?: TimeTakenModel;
  /** Where farm server addresses resolve to. */
  directory: StaticDirectory;
}

export interface HostHandle {
  readonly name: string;
  readonly kind: HostSpec['kind'];
  /** Where the host listens (loopback). */
  readonly endpoint: { host: string; port: number };
  /** Requests the host has accepted; each must appear once in its logs. */
  readonly accepted: number;
  /** Requests the host has logged (W3SVC or HTTPERR) so far. */
  readonly logged: number;
  /**
   * Requests a real host took with it when it was killed or stopped mid-request (container
   * runtime): they reached it, but no process was left to log them. Absent: none can be.
   */
  readonly lost?: number;
  /**
   * False while a real fault keeps the lab from reaching the host (paused, stopped, killed, cut
   * off): settling skips it until it is healed. Absent: always reachable.
   */
  readonly reachable?: boolean;
  records(): readonly LoggedRequest[];
  /** Calls `listener` with each record as the host logs it (retained or not); returns the unsubscribe. */
  onRecord(listener: (record: LoggedRequest) => void): () => void;
  /** Writes the lines still in the log buffers to their files now (a copy of the artifacts taken while the lab runs). */
  flush(): void;
  files(): { w3svc: string[]; httperr: string[]; freb?: string[]; events?: string[]; winhttp?: string[] };
  setOnline(online: boolean): Promise<void>;
  /** Changes the host's http.sys limits while the lab runs (the settings not in the change keep their value). */
  setHttpSys(change: HttpSysChange): void | Promise<void>;
  /** A leaking driver now holds `mb` of the nonpaged pool (0: it was unloaded). */
  setLeak(mb: number): void | Promise<void>;
  /** The worker process dies: what it ran or queued is abandoned; returns how many requests. */
  crashWorker(): number | Promise<number>;
  /** What WAS does to the member's app pool (stopped, rapid-fail offline...); `Started` serves again. */
  setAppPool(state: AppPoolState): void | Promise<void>;
  /** Connection-level HTTPERR lines so far (Timer_ConnectionIdle, Timer_HeaderWait), by reason. */
  connectionEvents(): Record<string, number>;
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export interface MemberHandle extends HostHandle {
  readonly kind: 'member';
  /** Replaces the member's script while the lab runs. */
  setScript(script: Script): void | Promise<void>;
  /** Takes the member offline (refusing or silent) or back online while the lab runs. */
  setOffline(offline: Offline): Promise<void>;
  /** A real fault on the member's host (container runtime only; lab/containers/faults.ts); resolves to its undo. */
  fault?(fault: Fault): Promise<() => Promise<void>>;
  /** Undoes the member's real faults, the latest first. */
  heal?(): Promise<void>;
}

/** A farm server as the controller sees it at one instant. */
export interface ServerSnapshot {
  address: string;
  availability: Availability;
  state: CounterState;
  healthy: boolean;
  counters: ServerCounters;
}

export interface ControllerHandle extends HostHandle {
  readonly kind: 'controller';
  /** The Rotate Servers actions (Unavailable Immediately also ends the requests in flight). */
  setAvailability(address: string, availability: Availability): void;
  /** `SetHealthy` / `SetUnhealthy`: an administrator's verdict (still subject to minServers). */
  setHealthy(address: string, healthy: boolean): void;
  counters(address: string): ServerCounters | undefined;
  /** Changes the farm's protocol/@timeout while the lab runs; requests already in a phase keep their timer. */
  setProtocolTimeout(ms: number): void;
  /** The farm's configuration as it is now (live changes included). */
  readonly farmConfig: FarmConfig;
  servers(): ServerSnapshot[];
  /** The farm's Application-log events so far (1000, 1002). */
  events(): readonly FarmEvent[];
  /** URL-test probes so far. */
  probes(): readonly HealthProbe[];
  /** Trips to members that failed before the member received a request (resolve or connect phase). */
  unreachedTrips(): number;
}

export interface HostDriver {
  /** Releases what the driver holds for the whole lab (a container network), after every host stopped. */
  dispose?(): Promise<void>;
  startMember(spec: Extract<HostSpec, { kind: 'member' }>, context: HostContext): Promise<MemberHandle>;
  startController(spec: Extract<HostSpec, { kind: 'controller' }>, context: HostContext): Promise<ControllerHandle>;
}
