import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoggedRequest } from '../../iis/log-records.ts';
import { LabClient, type ClientRequest, type ClientResult } from '../client.ts';
import { CONTAINER_MIN_TIME_SCALE, containerDriver } from '../containers/container-driver.ts';
import type { Fault } from '../containers/faults.ts';
import { CONTROLLER_NAME, Lab, type TopologyInput } from '../lab.ts';

/**
 * For a user's own vitest file: a farm whose members are real hosts in containers, ARR in front
 * of them in the test's process, real faults to flip, and what every party logged to assert on.
 * With vitest, `useContainerFarm` (lab/testing/vitest.ts) starts and stops it around a file:
 *
 *   const farm = useContainerFarm({ members: [{ name: 'web1' }] });
 *   it('a frozen member times out', async () => {
 *     const undo = await farm().fault('web1', 'pause');
 *     expect((await farm().get('/')).errorCode).toBe('0x80072ee2');
 *     await undo();
 *   });
 */
export interface ContainerFarm {
  readonly lab: Lab;
  /** Sends a request through ARR; `id` marks it in every host's records. */
  send(request: Partial<ClientRequest> & { path: string }, id?: string): Promise<ClientResult>;
  get(path: string, id?: string): Promise<ClientResult>;
  /** Applies a real fault to a member's container; resolves to its undo. */
  fault(member: string, fault: Fault): Promise<() => Promise<void>>;
  /** Waits until no host has a request in flight (faults that cut a host off are healed first). */
  settle(): Promise<void>;
  /** What a host (`arr` or a member name) logged, for one request id or all. */
  records(host: string, id?: string): readonly LoggedRequest[];
  stop(): Promise<void>;
}

export interface ContainerFarmOptions {
  /** Wall seconds per nominal second; at least 0.05 (docs/containers.md, "Time"). */
  timeScale?: number;
  /** Folder for the hosts' files; a temporary one, removed at stop, when unset. */
  root?: string;
}

export async function startContainerFarm(topology: TopologyInput, options: ContainerFarmOptions = {}): Promise<ContainerFarm> {
  const own = options.root === undefined ? mkdtempSync(join(tmpdir(), 'arr-lab-farm-')) : undefined;
  const lab = await Lab.start(topology, {
    root: options.root ?? own!,
    timeScale: Math.max(options.timeScale ?? CONTAINER_MIN_TIME_SCALE, CONTAINER_MIN_TIME_SCALE),
    driver: containerDriver(),
  });
  const client = new LabClient(lab);
  let n = 0;
  const send = (request: Partial<ClientRequest> & { path: string }, id = `t${++n}`) =>
    client.send(id, { method: 'GET', headers: {}, ...request });
  return {
    lab,
    send,
    get: (path, id) => send({ path }, id),
    async fault(member, fault) {
      const m = lab.member(member);
      if (!m.fault) throw new Error(`member ${member} is not in a container`);
      return m.fault(fault);
    },
    async settle() {
      await lab.healFaults();
      await lab.settle();
    },
    records(host, id) {
      const h = host === CONTROLLER_NAME ? lab.controller : lab.member(host);
      return h.records().filter((r) => id === undefined || r.meta.labRequest === id);
    },
    async stop() {
      try {
        await client.close();
        await lab.stop();
      } finally {
        if (own) rmSync(own, { recursive: true, force: true });
      }
    },
  };
}
