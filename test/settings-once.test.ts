import { afterEach, describe, expect, it, vi } from 'vitest';
import { Script, scriptSchema } from '../backends/script.ts';
import type { IisHost } from '../iis/host.ts';
import { httpSysSchema } from '../iis/http-sys/settings.ts';
import { nonPagedPoolSchema } from '../iis/http-sys/nonpaged-pool.ts';
import { farmSchema } from '../proxy/farm-config.ts';
import { resolverSchema } from '../proxy/lab-resolver.ts';
import type { HostContext, HostDriver, HostSpec } from '../lab/host-driver.ts';
import { inProcessDriver } from '../lab/in-process-driver.ts';
import { Lab } from '../lab/lab.ts';
import { parseYamlScenario } from '../lab/scenario/load.ts';
import { actionSchema, performAction } from '../lab/scenario/action-step.ts';
import { parseTopology } from '../lab/topology.ts';
import { tempDir } from './helpers.ts';

/**
 * Settings are parsed once, where they enter, and flow into the hosts as typed values. A second
 * parse is not harmless: a parsed timeSpan (30000 ms) read again as input means 30000 seconds.
 */
const SCENARIO = `
name: settings-once
description: timeSpans on every host
suites: [test]
farm:
  protocol: {timeout: '00:00:30'}
  healthCheck: {interval: '00:00:05'}
controller:
  httpSys: {connectionTimeout: '00:00:40'}
members:
  - name: member1
    script: [{route: /, do: [{sleep: 2s}, {respond: {status: 200}}]}]
    httpSys: {connectionTimeout: '00:00:05'}
    nonPagedPool: {refusedReportInterval: '00:00:02'}
resolver:
  member1: {delay: 1s}
requests:
  - path: /
`;

/** The in-process driver, keeping what each host was started with. */
function recordingDriver() {
  const started: { spec: HostSpec; context: HostContext; host: IisHost }[] = [];
  const driver: HostDriver = {
    async startMember(spec, context) {
      const member = await inProcessDriver.startMember(spec, context);
      started.push({ spec, context, host: (member as unknown as { host: IisHost }).host });
      return member;
    },
    async startController(spec, context) {
      const controller = await inProcessDriver.startController(spec, context);
      started.push({ spec, context, host: (controller as unknown as { host: IisHost }).host });
      return controller;
    },
  };
  return { driver, started };
}

/** Counts every top-level parse of the settings schemas from here on. */
function countParses() {
  const schemas = { farm: farmSchema, httpSys: httpSysSchema, nonPagedPool: nonPagedPoolSchema, script: scriptSchema, resolver: resolverSchema };
  const spies = Object.entries(schemas).flatMap(([name, schema]) =>
    (['parse', 'safeParse'] as const).map((method) => ({ name: `${name}.${method}`, spy: vi.spyOn(schema, method) })),
  );
  return () => spies.filter((s) => s.spy.mock.calls.length > 0).map((s) => `${s.name} ×${s.spy.mock.calls.length}`);
}

describe('settings parsed once', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => {
    vi.restoreAllMocks();
    cleanup?.();
    cleanup = undefined;
  });

  it('a scenario hands Lab.start typed values that reach every host unchanged, with no second parse', async () => {
    const loaded = parseYamlScenario(SCENARIO, 'settings-once.yaml');
    const topology = loaded.topology;
    const parses = countParses();
    const { driver, started } = recordingDriver();
    const temp = tempDir();
    cleanup = temp.cleanup;
    const lab = await Lab.start(topology, { root: temp.dir, timeScale: 0.001, driver });
    try {
      expect(parses()).toEqual([]);
      const [member, controller] = started;
      expect(member!.spec.kind === 'member' && member!.spec.script).toBe(topology.members[0]!.script);
      expect(topology.members[0]!.script).toBeInstanceOf(Script);
      expect(member!.context.httpSys).toBe(topology.members[0]!.httpSys);
      expect(member!.context.nonPagedPool).toBe(topology.members[0]!.nonPagedPool);
      expect(member!.host.httpSys.connectionTimeout).toBe(5_000);
      expect(member!.host.pool.reportInterval).toBe(2_000);
      expect(controller!.spec.kind === 'controller' && controller!.spec.farm).toBe(topology.farm);
      expect(controller!.context.httpSys).toBe(topology.controller.httpSys);
      expect(controller!.host.httpSys.connectionTimeout).toBe(40_000);
      expect(lab.controller.farmConfig.protocol.timeout).toBe(30_000);
      expect(lab.controller.farmConfig.healthCheck.interval).toBe(5_000);
      expect(lab.controller.farmConfig.servers.map((s) => s.address)).toEqual(['member1']);
    } finally {
      await lab.stop();
    }
  });

  it('a parsed topology can start any number of labs: its timeSpans are never read again as input', async () => {
    const topology = parseTopology({ farm: { protocol: { timeout: '00:00:30' } }, members: [{ name: 'member1', httpSys: { connectionTimeout: '00:00:05' } }] });
    const parses = countParses();
    for (let run = 0; run < 2; run++) {
      const { driver, started } = recordingDriver();
      const temp = tempDir();
      const lab = await Lab.start(topology, { root: temp.dir, timeScale: 0.001, driver });
      try {
        expect(lab.controller.farmConfig.protocol.timeout).toBe(30_000);
        expect(started[0]!.host.httpSys.connectionTimeout).toBe(5_000);
      } finally {
        await lab.stop();
        temp.cleanup();
      }
    }
    expect(parses()).toEqual([]);
  });

  it('a hand-written topology is parsed at Lab.start, and a bad one names its field and starts nothing', async () => {
    const temp = tempDir();
    cleanup = temp.cleanup;
    const { driver, started } = recordingDriver();
    await expect(Lab.start({ farm: { protocol: { timeout: '00:00:00' } }, members: [{ name: 'member1' }] }, { root: temp.dir, timeScale: 0.001, driver }))
      .rejects.toThrow(/farm\.protocol\.timeout: out of range/);
    await expect(Lab.start({ members: [{ name: 'member1' }, { name: 'member1' }] }, { root: temp.dir, timeScale: 0.001, driver }))
      .rejects.toThrow(/members\.1\.name: duplicate member name "member1"/);
    expect(started).toEqual([]);
  });

  it('a live httpSys step changes only the settings it names, as the typed values the action schema made', async () => {
    const topology = parseTopology({ members: [{ name: 'member1', httpSys: { connectionTimeout: '00:00:05', queueLength: 100 } }] });
    const action = actionSchema.parse({ httpSys: { member1: { queueLength: 50, droppedListWindow: '00:00:10' } } });
    const { driver, started } = recordingDriver();
    const temp = tempDir();
    cleanup = temp.cleanup;
    const lab = await Lab.start(topology, { root: temp.dir, timeScale: 0.001, driver });
    try {
      const parses = countParses();
      await performAction(lab, action, { step: 'step 1', tolerance: 1000 });
      expect(parses()).toEqual([]);
      const settings = started[0]!.host.httpSys;
      expect([settings.queueLength, settings.droppedListWindow, settings.connectionTimeout]).toEqual([50, 10_000, 5_000]);
    } finally {
      await lab.stop();
    }
  });
});
