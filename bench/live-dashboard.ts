import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { chromium, type Browser } from 'playwright-core';
import { LiveLab } from '../live/live-lab.ts';
import { serveLiveLab } from '../live/server.ts';
import { teachingFarm } from '../live/teaching-farm.ts';
import { machine } from './machine.ts';

/**
 * `npm run bench:live`: the live lab under background load (default 2,000 req/s for 60 s) twice,
 * without and then with the dashboard open in headless chromium, so the difference is the cost
 * of the dashboard: throughput and latency at the client, and the batches the page received and
 * the rows it kept (bounded), with the lab process's memory at the end of each run.
 */
const { values } = parseArgs({ options: { rate: { type: 'string', default: '2000' }, seconds: { type: 'string', default: '60' }, out: { type: 'string', default: 'bench/tmp/live-dashboard.md' } } });
const rate = Number(values.rate);
const seconds = Number(values.seconds);

interface RunResult {
  dashboard: boolean;
  requestsPerS: number;
  p50: number;
  p99: number;
  errors: number;
  logged: number;
  batches: number;
  rowsShown: number;
  rssMB: number;
  ringSize: number;
}

async function run(withDashboard: boolean, browser: Browser | undefined): Promise<RunResult> {
  const root = await mkdtemp(join(tmpdir(), 'arr-lab-bench-live-'));
  const live = await LiveLab.start(teachingFarm(), { root, timeScale: 0.1, ringSize: 2000 });
  const server = await serveLiveLab(live);
  let batches = 0;
  const page = withDashboard && browser ? await browser.newPage({ viewport: { width: 1280, height: 720 } }) : undefined;
  if (page) {
    await page.exposeFunction('countBatch', () => batches++);
    await page.goto(server.dashboard);
    await page.waitForFunction(() => document.querySelector('#conn')?.textContent === 'live', undefined, { timeout: 120_000 });
    await page.evaluate(() => {
      new EventSource(`/api/events?token=${new URLSearchParams(location.search).get('token')}`).addEventListener('batch', () => (window as unknown as { countBatch(): void }).countBatch());
    });
  }
  const result = await new Promise<autocannon.Result>((resolve, reject) =>
    autocannon({ url: live.lab.url('/'), connections: 50, overallRate: rate, duration: seconds }, (err, r) => (err ? reject(err) : resolve(r))),
  );
  const rowsShown = page ? await page.evaluate(() => document.querySelectorAll('#requests tbody tr').length) : 0;
  await page?.close();
  const out: RunResult = {
    dashboard: withDashboard, requestsPerS: result.requests.average, p50: result.latency.p50, p99: result.latency.p99,
    errors: result.errors + result.timeouts, logged: live.ring.total, batches, rowsShown,
    rssMB: Math.round(process.memoryUsage().rss / 1e6), ringSize: live.ring.size,
  };
  await server.close();
  await live.stop();
  await rm(root, { recursive: true, force: true });
  return out;
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update'] });
try {
  const without = await run(false, undefined);
  const withDash = await run(true, browser);
  const m = machine();
  const row = (r: RunResult) => `| ${r.dashboard ? 'open' : 'closed'} | ${r.requestsPerS.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors} | ${r.logged} | ${r.ringSize} | ${r.dashboard ? r.batches : '-'} | ${r.dashboard ? r.rowsShown : '-'} | ${r.rssMB} |`;
  const text = [
    `# Live lab under load, dashboard closed vs open`,
    '',
    `${rate} req/s asked for ${seconds} s, 50 connections, on ${m.cores} × ${m.cpu}, Node ${process.version}. Latency is autocannon's (wall ms).`,
    '',
    '| dashboard | req/s | p50 ms | p99 ms | errors | ARR logged | ring | batches seen | rows shown | RSS MB |',
    '|---|---|---|---|---|---|---|---|---|---|',
    row(without),
    row(withDash),
    '',
    `Throughput with the dashboard open: ${((withDash.requestsPerS / without.requestsPerS) * 100).toFixed(1)} % of closed.`,
  ].join('\n');
  await mkdir(join('bench', 'tmp'), { recursive: true });
  await writeFile(values.out!, `${text}\n`);
  console.log(text);
} finally {
  await browser.close();
}
