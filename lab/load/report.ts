import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Table from 'cli-table3';
import type { LoadRun } from './run-load.ts';

/** Writes `load-report.json` and `load-report.md` into the run's folder, each whole or not at all. */
export async function writeLoadReport(run: LoadRun): Promise<{ json: string; md: string }> {
  const json = join(run.dir, 'load-report.json');
  const md = join(run.dir, 'load-report.md');
  await writeWhole(json, JSON.stringify(run, null, 2) + '\n');
  await writeWhole(md, markdownReport(run));
  return { json, md };
}

async function writeWhole(file: string, text: string): Promise<void> {
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
}

const fixed = (n: number, digits = 0) => n.toFixed(digits);

function load(run: LoadRun): string {
  const s = run.settings;
  const bound = s.amount !== undefined ? `${s.amount} requests` : `${(s.duration ?? 0) / 1000} s`;
  return `${s.connections} connections, ${bound}${s.rate !== undefined ? `, ${s.rate} req/s` : ''}, ${run.request.method} ${run.request.path}, time scale ${run.timeScale}`;
}

/** The rows of each table, shared by the terminal and the Markdown renderings. */
function sections(run: LoadRun): { title: string; head: string[]; rows: (string | number)[][] }[] {
  const c = run.client;
  const byCount = (counts: Record<string, number>) => Object.entries(counts).sort((a, b) => b[1] - a[1]);
  const outcomes: (string | number)[][] = [
    ...byCount(c.statuses).map(([k, n]) => ['client', `status ${k}`, n]),
    ...byCount(c.errorPages).map(([k, n]) => ['client', `error page ${k}`, n]),
    ...byCount(c.errorCodes).map(([k, n]) => ['client', `error ${k}`, n]),
  ];
  for (const h of run.hosts) {
    outcomes.push(...byCount(h.tally.w3svc).map(([k, n]) => [h.name, `W3SVC ${k}`, n]));
    outcomes.push(...byCount(h.tally.httperr).map(([k, n]) => [h.name, `HTTPERR ${k}`, n]));
    if (h.tally.probes > 0) outcomes.push([h.name, 'health probes (any log)', h.tally.probes]);
    outcomes.push(...byCount(h.tally.connections).map(([k, n]) => [h.name, `HTTPERR ${k} (connection, not a request)`, n]));
  }
  const latency: (string | number)[][] = [
    ['client (wall ms)', c.latency.p50, c.latency.p90, c.latency.p99, c.latency.max],
    ...run.hosts.filter((h) => h.tally.timeTaken).map((h) => {
      const t = h.tally.timeTaken!;
      return [`${h.name} time-taken (nominal ms)`, t.p50, t.p90, t.p99, t.max];
    }),
  ];
  return [
    {
      title: 'Throughput',
      head: ['sent', 'answered', 'errors', 'timeouts', 'wall s', 'req/s', 'bytes/s'],
      rows: [[c.sent, c.answered, c.errors, c.timeouts, fixed(c.wallS, 2), fixed(c.throughput.requestsPerSecond), fixed(c.throughput.bytesPerSecond)]],
    },
    { title: 'Latency', head: ['', 'p50', 'p90', 'p99', 'max'], rows: latency },
    { title: 'Outcomes', head: ['where', 'outcome', 'count'], rows: outcomes },
    {
      title: 'Farm at the end',
      head: ['server', 'availability', 'state', 'healthy', 'total requests', 'failed requests'],
      rows: run.servers.map((s) => [s.address, s.availability, s.state, s.healthy ? 'yes' : 'no', s.counters.totalRequests, s.counters.failedRequests]),
    },
    {
      title: 'Accounting',
      head: ['subject', 'check', 'expected', 'actual', 'result'],
      rows: run.reconciliation.map((r) => [r.subject, r.check, r.expected, r.actual, r.pass ? 'ok' : `FAIL: ${r.problem}`]),
    },
    ...(run.checks.length > 0
      ? [{ title: 'Expectations', head: ['where', 'outcome', 'expected', 'actual', 'result'], rows: run.checks.map((k) => [k.subject, k.field, k.expected, k.actual, k.pass ? 'pass' : 'FAIL']) }]
      : []),
  ];
}

function notes(run: LoadRun): string[] {
  return [
    ...(run.client.capped ? ['The wall-clock cap stopped the traffic before it ended on its own.'] : []),
    ...(run.interrupted ? [`Interrupted by ${run.interrupted} after ${progress(run)}: the counts cover the requests sent until then, and still reconcile.`] : []),
    ...run.events.map((e) => `Event ${e.id} at ${new Date(e.at).toISOString()}: ${e.message}`),
    ...(run.unsettled ? ['Pages were still running when the settle budget ran out: each is logged as Connection_Abandoned_By_ReqQueue.'] : []),
    'Client substatus and error code come from every detailed error page the client received; host outcomes from the files each host wrote.',
  ];
}

/** How far the run got: requests of the amount, or seconds of the duration. */
function progress(run: LoadRun): string {
  const s = run.settings;
  return s.amount !== undefined ? `${run.client.sent} of ${s.amount} requests` : `${fixed(run.client.wallS, 1)} of ${(s.duration ?? 0) / 1000} s (${run.client.sent} requests)`;
}

export function textReport(run: LoadRun): string {
  const out = [`${run.scenario}: ${load(run)}`];
  for (const s of sections(run)) {
    const table = new Table({ head: s.head, style: { head: [], border: [] } });
    table.push(...s.rows.map((r) => r.map(String)));
    out.push('', s.title, table.toString());
  }
  out.push('', ...notes(run));
  out.push('', `${run.balanced ? 'accounting balanced' : 'ACCOUNTING UNBALANCED'}; ${run.interrupted ? `interrupted (${run.interrupted})` : run.passed ? 'pass' : 'FAIL'}; ${fixed(run.nominalMs / 1000, 1)} s nominal in ${fixed(run.wallMs / 1000, 2)} s wall; artifacts in ${run.dir}`);
  return out.join('\n');
}

export function markdownReport(run: LoadRun): string {
  const cell = (v: string | number) => String(v).replace(/\|/g, '\\|');
  const out = [`# Load run: ${run.scenario}`, '', load(run), ''];
  for (const s of sections(run)) {
    out.push(`## ${s.title}`, '', `| ${s.head.map(cell).join(' | ')} |`, `|${s.head.map(() => '---').join('|')}|`);
    for (const r of s.rows) out.push(`| ${r.map(cell).join(' | ')} |`);
    out.push('');
  }
  out.push(...notes(run).map((n) => `- ${n}`), '', `**${run.balanced ? 'Accounting balanced' : 'Accounting unbalanced'}; ${run.interrupted ? `interrupted (${run.interrupted})` : run.passed ? 'pass' : 'fail'}.**`, '');
  return out.join('\n');
}
