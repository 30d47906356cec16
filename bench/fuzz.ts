import { fuzz, type FuzzReport } from '../lab/fuzz/request-fuzzer.ts';
import { Lab } from '../lab/lab.ts';

export interface FuzzConfig {
  durationS: number;
  concurrency: number;
}

export interface FuzzResult {
  config: FuzzConfig;
  wallS: number;
  /** One report per fuzzed host (the controller, a member). */
  reports: { host: string; report: FuzzReport }[];
  /** Uncaught exceptions and unhandled rejections in the process running the lab. */
  crashes: string[];
  /** Per host: requests accepted, lines logged, lines for a request logged more than once. */
  accounting: { host: string; accepted: number; logged: number; duplicates: number }[];
}

/**
 * Part 6: the mutation fuzzer against a running lab (controller and two members, time scale
 * 0.001 so http.sys's timers end what a mutation left open), the controller and a member fuzzed
 * at once for the whole duration.
 */
export async function fuzzFront(config: FuzzConfig, tmp: string, log: (s: string) => void): Promise<FuzzResult> {
  const crashes: string[] = [];
  const onCrash = (err: unknown) => crashes.push(String((err as Error)?.stack ?? err));
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  const started = Date.now();
  const lab = await Lab.start({ members: [{ name: 'member1' }, { name: 'member2' }] }, { root: tmp, timeScale: 0.001, retainRecords: true });
  try {
    const targets = [lab.controller, lab.member('member1')];
    const reports = await Promise.all(
      targets.map(async (host, i) => ({
        host: host.name,
        report: await fuzz({ port: host.endpoint.port, seed: 20261130 + i, durationMs: config.durationS * 1000, concurrency: config.concurrency, hangMs: 30_000 }),
      })),
    );
    await lab.settle();
    const accounting = [lab.controller, lab.member('member1'), lab.member('member2')].map((h) => {
      const seqs = h.records().map((r) => r.meta.seq);
      return { host: h.name, accepted: h.accepted, logged: h.logged, duplicates: seqs.length - new Set(seqs).size };
    });
    for (const r of reports) log(`  ${r.host}: ${r.report.cases} cases, ${r.report.answered} answered, ${r.report.closedSilently} closed, ${r.report.hung} hung`);
    return { config, wallS: (Date.now() - started) / 1000, reports, crashes, accounting };
  } finally {
    await lab.stop();
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
  }
}

export function fuzzClean(r: FuzzResult): boolean {
  return r.crashes.length === 0 && r.reports.every((x) => x.report.hung === 0) && r.accounting.every((a) => a.accepted === a.logged && a.duplicates === 0);
}
