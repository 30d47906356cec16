// Writes the dashboard screenshots of docs/training.md (docs/img/): a teaching farm with a slow
// page, a failing member and light background load, seen in chromium at 1280x720.
// Run: npx tsx scripts/docs-screenshots.ts
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { LiveApiClient } from '../live/api-client.ts';
import { Exercises } from '../live/exercises/session.ts';
import { LiveLab } from '../live/live-lab.ts';
import { serveLiveLab } from '../live/server.ts';
import { teachingFarm } from '../live/teaching-farm.ts';

const root = await mkdtemp(join(tmpdir(), 'arr-lab-shots-'));
const live = await LiveLab.start(teachingFarm(), { root, timeScale: 0.05 });
const server = await serveLiveLab(live, { exercises: new Exercises() });
const api = new LiveApiClient(server.url, server.token);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update'] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
  await page.goto(server.dashboard);
  await page.waitForFunction(() => document.querySelector('#conn')?.textContent === 'live');
  await api.load({ action: 'start', rate: 40, connections: 4 });
  await new Promise((r) => setTimeout(r, 4000));
  for (const m of ['member1', 'member2', 'member3']) await api.setScript(m, [{ route: '/time/', do: [{ sleep: '45s' }, { respond: { status: 200 } }] }]);
  await api.setScript('member3', [{ route: '/', do: [{ respond: { status: 500, body: 'boom' } }] }]);
  await new Promise((r) => setTimeout(r, 3000));
  const sent = await Promise.all([api.send({ path: '/time/' }), api.send({ path: '/time/' })]);
  await new Promise((r) => setTimeout(r, 3000));
  await page.screenshot({ path: join('docs', 'img', 'dashboard-farm.png') });
  await page.locator(`#requests tbody tr[data-id="${sent[0].id}"]`).click();
  await page.waitForFunction(() => document.querySelector('#explanation .row-id') !== null);
  await page.screenshot({ path: join('docs', 'img', 'dashboard-timeline.png') });
  await api.load({ action: 'stop' });
} finally {
  await browser.close();
  await server.close();
  await live.stop();
  await rm(root, { recursive: true, force: true });
}
