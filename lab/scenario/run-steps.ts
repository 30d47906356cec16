import type { LoggedRequest } from '../../iis/log-records.ts';
import { LabClient, type ClientResult } from '../client.ts';
import { Interrupted, untilAborted, type InterruptSignal } from '../interrupt.ts';
import type { Lab } from '../lab.ts';
import { performAction } from './action-step.ts';
import type { Check } from './expectations.ts';
import { membersAccepted, sendInLanes, untilReached } from './lanes.ts';
import { requestBody, type Scenario, type ScenarioRequest } from './schema.ts';

/** A request the run sent: its step, and what the client saw. */
export interface SentRequest {
  request: ScenarioRequest;
  result: ClientResult;
}

/** What running the steps left: what was sent, what the hosts logged, how long it lasted. */
export interface StepsRun {
  /** In request-id order. */
  sent: SentRequest[];
  /** Every host's records, by host name. */
  records: Map<string, readonly LoggedRequest[]>;
  /** The action steps' checks, and the wall budget's when the lab never settled. */
  checks: Check[];
  nominalMs: number;
  /** The signal that cut the run short. */
  interrupted?: string;
}

export interface StepsOptions {
  /** Wall-clock safety net for a scenario that never settles. */
  wallBudgetMs?: number;
  signal?: InterruptSignal;
}

/**
 * Runs a scenario's steps in order on a started lab, then stops the lab. Requests still in flight
 * then end as a client would see a server going away, and each is recorded.
 */
export async function runSteps(lab: Lab, scenario: Scenario, options: StepsOptions): Promise<StepsRun> {
  const client = new LabClient(lab);
  const sent: SentRequest[] = [];
  const inflight: Promise<unknown>[] = [];
  const checks: Check[] = [];
  const { aborted, dispose } = untilAborted(options.signal);
  let interrupted: string | undefined;
  let nominalMs = 0;
  try {
    // The runner's own timeline: a step starts where the steps it follows ended (a wait, the
    // responses it waited for), never where unrelated timers moved the lab.
    const runner = lab.clock.begin(undefined, true);
    const steps = () => runner.run(async () => {
      let n = 0;
      const background: Promise<number>[] = [];
      for (const [index, step] of scenario.requests.entries()) {
        if (options.signal?.aborted) throw new Interrupted();
        if (step.kind === 'action') {
          checks.push(...(await performAction(lab, step.action, { step: `step ${index + 1}`, tolerance: scenario.timeTolerance })));
          continue;
        }
        const r = step.request;
        const ids = Array.from({ length: r.repeat }, () => String(++n));
        const before = membersAccepted(lab);
        const sending = sendInLanes(lab, ids.length, r.concurrency, async (i) => {
          const result = await client.send(ids[i]!, { method: r.method, path: r.path, headers: r.headers, body: requestBody(r) }, r.as);
          sent.push({ request: r, result });
          return result.doneAt;
        }, options.signal);
        inflight.push(sending);
        if (!r.background) {
          runner.reach(await runner.during(sending));
          continue;
        }
        background.push(sending);
        await untilReached(lab, sending, Math.min(r.repeat, r.concurrency), before);
      }
      runner.reach(Math.max(0, ...(await runner.during(Promise.all(background)))));
      await lab.healFaults();
      await lab.finish();
      nominalMs = lab.clock.elapsed();
      runner.finish();
    });
    let finished = false;
    try {
      // An interrupt ends the steps where they are, a wait step included.
      finished = await withinBudget(options.wallBudgetMs ?? 120_000, () => Promise.race([steps(), aborted]));
    } catch (err) {
      if (!(err instanceof Interrupted)) throw err;
      interrupted = options.signal?.reason as string;
      nominalMs = lab.clock.frontier() - lab.clock.startedAt;
    }
    if (!finished && !interrupted) {
      checks.push({ request: '-', subject: 'lab', field: 'settled', expected: 'within the wall budget', actual: 'still busy', pass: false });
      nominalMs = lab.clock.frontier() - lab.clock.startedAt;
    }
  } finally {
    // The scenario's time ends with its steps: tearing the lab down takes no nominal time.
    lab.clock.halt();
    await client.close();
    await Promise.allSettled(inflight);
    await lab.stop();
    dispose();
  }
  sent.sort((a, b) => Number(a.result.id) - Number(b.result.id));
  const records = new Map(lab.hosts.map((h) => [h.name, h.records()]));
  // The run lasts until the last request any host logged (a page that outlives ARR's timeout).
  for (const list of records.values()) for (const r of list) nominalMs = Math.max(nominalMs, r.meta.at - lab.clock.startedAt);
  return { sent, records, checks, nominalMs, ...(interrupted ? { interrupted } : {}) };
}

async function withinBudget(ms: number, fn: () => Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const budget = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([fn().then(() => true as const), budget]);
  } finally {
    clearTimeout(timer);
  }
}
