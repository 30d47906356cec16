import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { StartedTestContainer } from 'testcontainers';
import type Dockerode from 'dockerode';
import { httperrDir, w3svcDir } from '../../iis/host-logs.ts';
import { frebDir } from '../../iis/freb/freb-log.ts';
import type { LoggedRequest } from '../../iis/log-records.ts';
import type { HttpSysChange } from '../../iis/http-sys/settings.ts';
import type { Script } from '../../backends/script.ts';
import type { AppPoolState } from '../../iis/http-sys/app-pool-state.ts';
import type { StaticDirectory } from '../../proxy/member-directory.ts';
import type { MemberHandle, Offline } from '../host-driver.ts';
import { ControlClient } from './control-client.ts';
import { applyFault, faultName, type Fault, type FaultTarget, type Undo } from './faults.ts';
import { READY_LINE } from './member-config.ts';

export const MEMBER_PORT = 8080;
export const CONTROL_PORT = 8081;
/** A ready line in `docker logs --timestamps`: when the member process began serving. */
const READY_AT = new RegExp(`(\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z) ${READY_LINE}`, 'g');
/** The supervisor's line once a member process is gone, every socket of it closed (supervisor.mjs). */
const EXITED_AT = /(\d{4}-\d\d-\d\dT[\d:.]+Z) arr-lab supervisor: member process exited/g;
const OUT_OF_REACH = new Set(['pause', 'stop', 'kill', 'crash', 'disconnect']);
/** Longest wait, in wall ms, for a restarted container or member process to serve (or a killed one to go). */
const READY_BUDGET_MS = 30_000;

interface Counts {
  accepted: number;
  logged: number;
  connectionEvents?: Record<string, number>;
}

/**
 * A farm member running in its own container, seen through the host-driver interface. Its log
 * records stream in as they are written (and are asked for again after a cut), its files are on
 * the bind-mounted system drive, and real faults are applied to the container itself. A member
 * process that is restarted (after stop, kill or crash) starts counting again: its records are
 * renumbered after the previous incarnations' so every request stays accounted for once.
 */
export class ContainerMember implements MemberHandle, FaultTarget {
  readonly kind = 'member' as const;
  readonly port = MEMBER_PORT;
  private readonly control: ControlClient;
  private readonly list: LoggedRequest[] = [];
  private base = { accepted: 0, logged: 0 };
  private current: Counts = { accepted: 0, logged: 0 };
  private incarnation: string | undefined;
  /** Accepted by a member process that was killed before it could log them. */
  lost = 0;
  /** Records received from the current incarnation. */
  private received = 0;
  private connection: { close: () => void; ended: Promise<void> } | undefined;
  private caughtUp: (() => void)[] = [];
  private lastConnectionEvents: Record<string, number> = {};
  private readonly faults: { name: string; undo: Undo }[] = [];
  private address: string;

  constructor(
    readonly name: string,
    private readonly container: StartedTestContainer,
    private readonly docker: Dockerode,
    private readonly network: string,
    private readonly root: string,
    token: string,
    private readonly directory: StaticDirectory,
  ) {
    this.address = container.getIpAddress(network);
    this.control = new ControlClient(() => ({ host: this.address, port: CONTROL_PORT }), token);
    this.directory.set(name, this.endpoint);
  }

  get endpoint() {
    return { host: this.address, port: MEMBER_PORT };
  }

  get accepted(): number {
    return this.base.accepted + this.current.accepted;
  }

  get logged(): number {
    return this.base.logged + this.current.logged;
  }

  /** Opens the record stream; resolves once the member's greeting (its counts) has arrived. */
  async listen(): Promise<void> {
    this.connection?.close();
    let greeted!: () => void;
    const hello = new Promise<void>((resolve) => (greeted = resolve));
    const stream = await this.control.stream(this.received, (m) => {
      if (m.t === 'hello') {
        if (m.incarnation !== this.incarnation) {
          // A new member process: what the old one counted is history.
          if (this.incarnation !== undefined) {
            this.lost += this.current.accepted - this.current.logged;
            this.base = { accepted: this.accepted, logged: this.logged };
          }
          this.incarnation = m.incarnation as string;
          this.received = 0;
          this.current = { accepted: 0, logged: 0 };
        }
        this.current = { ...this.current, accepted: m.accepted as number };
        greeted();
        return;
      }
      if (m.t === 'accepted') this.current.accepted = Math.max(this.current.accepted, m.accepted as number);
      if (m.t === 'record') {
        const record = m.record as LoggedRequest;
        record.meta.seq += this.base.accepted;
        this.list.push(record);
        this.received++;
        for (const l of this.listeners) l(record);
        this.current = { accepted: Math.max(this.current.accepted, m.accepted as number), logged: this.received };
        this.wakeCaughtUp();
      }
    });
    this.connection = stream;
    await hello;
  }

  records(): readonly LoggedRequest[] {
    return this.list;
  }

  private readonly listeners = new Set<(record: LoggedRequest) => void>();

  onRecord(listener: (record: LoggedRequest) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The member's own process writes its files (its buffers flush every 200 ms); nothing is held here. */
  flush(): void {}

  files() {
    const list = (dir: string, pattern: RegExp) => (existsSync(dir) ? readdirSync(dir).filter((f) => pattern.test(f)).sort().map((f) => join(dir, f)) : []);
    return {
      w3svc: list(w3svcDir(this.root, 1), /\.log$/),
      httperr: list(httperrDir(this.root), /\.log$/),
      freb: list(frebDir(this.root, 1), /^fr\d{6}\.xml$/),
    };
  }

  async setOnline(online: boolean): Promise<void> {
    await this.setOffline(!online);
  }

  private silent: Undo | undefined;

  /** Silent is the real thing here: the member's SYNs are dropped in its own namespace (blackhole). */
  async setOffline(offline: Offline): Promise<void> {
    if (offline === 'silent') {
      this.silent ??= await applyFault(this, 'blackhole');
      return;
    }
    await this.silent?.();
    this.silent = undefined;
    await this.control.call('POST', '/offline', { offline });
  }

  /** A parsed script cannot cross a process: the member process is sent it as written. */
  async setScript(script: Script): Promise<void> {
    await this.control.call('POST', '/script', { script: script.written });
  }

  async setHttpSys(change: HttpSysChange): Promise<void> {
    await this.control.call('POST', '/http-sys', change);
  }

  async setLeak(mb: number): Promise<void> {
    await this.control.call('POST', '/leak', { mb });
  }

  async setAppPool(state: AppPoolState): Promise<void> {
    await this.control.call('POST', '/app-pool', { state });
  }

  async crashWorker(): Promise<number> {
    return (await this.control.call<{ abandoned: number }>('POST', '/crash-worker')).abandoned;
  }

  connectionEvents(): Record<string, number> {
    return this.lastConnectionEvents;
  }

  /** No request in the member's pipeline, and every record it logged has arrived here. */
  async idle(): Promise<void> {
    const counts = await this.control.call<Counts>('GET', '/idle');
    this.lastConnectionEvents = counts.connectionEvents ?? {};
    this.current.accepted = Math.max(this.current.accepted, counts.accepted);
    while (this.received < counts.logged) await new Promise<void>((resolve) => this.caughtUp.push(resolve));
  }

  // ---- real faults -------------------------------------------------------------------------

  /** Applies a real fault; the returned undo lifts this one fault (heal lifts them all). */
  async fault(fault: Fault): Promise<Undo> {
    const entry = { name: faultName(fault), undo: await applyFault(this, fault) };
    this.faults.push(entry);
    return async () => {
      const at = this.faults.indexOf(entry);
      if (at < 0) return;
      this.faults.splice(at, 1);
      await entry.undo();
    };
  }

  /** Undoes this member's faults, the latest first. */
  async heal(): Promise<void> {
    while (this.faults.length > 0) await this.faults.pop()!.undo();
  }

  get faulted(): string[] {
    return this.faults.map((f) => f.name);
  }

  /** The control port cannot answer while the container is frozen, down, cut off or without its member process. */
  get reachable(): boolean {
    return !this.faults.some((f) => OUT_OF_REACH.has(f.name));
  }

  async pid(): Promise<number> {
    return (await this.docker.getContainer(this.container.getId()).inspect()).State.Pid;
  }

  ip(): string {
    return this.address;
  }

  async pause(): Promise<void> {
    await this.docker.getContainer(this.container.getId()).pause();
  }

  async unpause(): Promise<void> {
    await this.docker.getContainer(this.container.getId()).unpause();
  }

  async halt(how: 'stop' | 'kill'): Promise<void> {
    const c = this.docker.getContainer(this.container.getId());
    if (how === 'stop') await c.stop({ t: 0 });
    else await c.kill({ signal: 'SIGKILL' });
    this.connection?.close();
  }

  async restart(): Promise<void> {
    const from = Date.now();
    await this.docker.getContainer(this.container.getId()).start();
    await this.readyAgain(from);
  }

  private signalledAt = 0;

  async signal(name: 'SIGUSR1' | 'SIGUSR2'): Promise<void> {
    this.signalledAt = Date.now();
    await this.docker.getContainer(this.container.getId()).kill({ signal: name });
  }

  /**
   * The member process is gone. Its record stream ends as the dying process closes its sockets,
   * which a busy kernel may do one at a time: the listening socket can outlive the stream for a
   * moment, long enough for a connect to complete and be reset (12030, not the refusal a crash
   * gives). The supervisor's exit line comes once the process is reaped, every socket closed.
   */
  async exited(): Promise<void> {
    await this.connection?.ended;
    await this.untilLogged(EXITED_AT, this.signalledAt, 'gone');
  }

  async serving(): Promise<void> {
    await this.readyAgain(this.signalledAt);
  }

  async disconnect(): Promise<void> {
    await this.docker.getNetwork(this.network).disconnect({ Container: this.container.getId(), Force: true });
    this.connection?.close();
  }

  async reconnect(): Promise<void> {
    await this.docker.getNetwork(this.network).connect({ Container: this.container.getId() });
    await this.refreshAddress();
    await this.listen();
  }

  /** Waits for a ready line printed after `fromMs` (one per member process start), then finds the member again. */
  private async readyAgain(fromMs: number): Promise<void> {
    const seen = this.incarnation;
    await this.untilLogged(READY_AT, fromMs, 'serving again');
    await this.refreshAddress();
    await this.listen();
    if (this.incarnation === seen) throw new Error(`member ${this.name}: still the old member process after a restart`);
  }

  /** Waits for a line of the container's output matching `pattern` (its timestamp first) printed after `fromMs`. */
  private async untilLogged(pattern: RegExp, fromMs: number, what: string): Promise<void> {
    const since = Math.floor(fromMs / 1000) - 1;
    const logs = (await this.docker.getContainer(this.container.getId()).logs({ follow: true, stdout: true, stderr: true, timestamps: true, since })) as unknown as NodeJS.ReadableStream & { destroy(): void };
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        // A wall-clock safety net for an engine that never starts the container, not a lab wait.
        timer = setTimeout(() => reject(new Error(`member ${this.name}: not ${what} within ${READY_BUDGET_MS} ms`)), READY_BUDGET_MS);
        logs.on('data', (chunk: Buffer) => {
          for (const m of chunk.toString('latin1').matchAll(pattern)) if (Date.parse(m[1]!) >= fromMs - 5) resolve();
        });
        logs.on('error', reject);
      });
    } finally {
      clearTimeout(timer);
      logs.destroy();
    }
  }

  private async refreshAddress(): Promise<void> {
    const info = await this.docker.getContainer(this.container.getId()).inspect();
    this.address = info.NetworkSettings.Networks[this.network]?.IPAddress ?? this.address;
    this.directory.set(this.name, this.endpoint);
  }

  private wakeCaughtUp(): void {
    const waiters = this.caughtUp;
    this.caughtUp = [];
    for (const w of waiters) w();
  }

  async stop(): Promise<void> {
    await this.heal().catch(() => undefined);
    await this.control.call('POST', '/stop').catch(() => undefined);
    this.connection?.close();
    await this.container.stop({ timeout: 0, remove: true });
  }
}
