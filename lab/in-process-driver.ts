import { phaseTimeouts, type Availability } from '../proxy/farm-config.ts';
import { ArrHandler } from '../proxy/arr-handler.ts';
import { FarmRuntime } from '../proxy/farm.ts';
import { Forwarder } from '../proxy/forwarder.ts';
import type { ServerCounters } from '../proxy/server-state.ts';
import { DEFAULT_IDENTITY, IisHost, type RequestHandler } from '../iis/host.ts';
import type { LoggedRequest } from '../iis/log-records.ts';
import { MemberHandler } from '../backends/member-handler.ts';
import { scriptSchema } from '../backends/script.ts';
import type { ControllerHandle, HostContext, HostDriver, HostHandle, HostSpec, MemberHandle } from './host-driver.ts';

class InProcessHost implements HostHandle {
  readonly host: IisHost;

  constructor(
    readonly kind: HostSpec['kind'],
    name: string,
    context: HostContext,
    handler: RequestHandler,
  ) {
    this.host = new IisHost({ identity: { ...DEFAULT_IDENTITY, name }, root: context.root, clock: context.clock, handler });
  }

  get name(): string {
    return this.host.identity.name;
  }

  get endpoint() {
    return { host: this.host.address, port: this.host.port };
  }

  get accepted(): number {
    return this.host.accepted;
  }

  records(): readonly LoggedRequest[] {
    return this.host.logs.records;
  }

  files() {
    return this.host.logs.files();
  }

  setOnline(online: boolean): Promise<void> {
    return online ? this.host.goOnline() : this.host.goOffline();
  }

  idle(): Promise<void> {
    return this.host.idle();
  }

  stop(): Promise<void> {
    return this.host.stop();
  }
}

class InProcessMember extends InProcessHost implements MemberHandle {
  declare readonly kind: 'member';

  constructor(name: string, context: HostContext, private readonly handler: MemberHandler) {
    super('member', name, context, handler);
  }

  setScript(script: unknown): void {
    this.handler.setScript(scriptSchema.parse(script));
  }
}

class InProcessController extends InProcessHost implements ControllerHandle {
  declare readonly kind: 'controller';

  constructor(name: string, context: HostContext, private readonly farm: FarmRuntime, private readonly forwarder: Forwarder) {
    super('controller', name, context, new ArrHandler(farm, forwarder, context.ids));
  }

  setAvailability(address: string, availability: Availability): void {
    const server = this.farm.server(address);
    if (!server) throw new Error(`farm ${this.farm.config.name} has no server "${address}"`);
    server.availability = availability;
  }

  counters(address: string): ServerCounters | undefined {
    return this.farm.server(address)?.counters;
  }

  override async stop(): Promise<void> {
    await super.stop();
    await this.forwarder.close();
  }
}

/** Hosts as objects in this process, sharing the lab clock: the fastest and most precise mode. */
export const inProcessDriver: HostDriver = {
  async startMember(spec, context) {
    const member = new InProcessMember(spec.name, context, new MemberHandler(scriptSchema.parse(spec.script ?? [])));
    if (spec.offline) await member.host.reservePort();
    else await member.host.goOnline();
    context.directory.set(spec.name, member.endpoint);
    return member;
  },

  async startController(spec, context) {
    const farm = new FarmRuntime(spec.farm);
    const timeouts = () => phaseTimeouts(farm.config);
    const forwarder = new Forwarder(context.clock, context.directory, timeouts, farm.config.protocol.maxResponseHeaderSize);
    const controller = new InProcessController(spec.name, context, farm, forwarder);
    await controller.host.goOnline();
    return controller;
  },
};
