import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseYamlScenario } from '../lab/scenario/load.ts';
import { runScenario } from '../lab/scenario/run.ts';
import { readW3c, tempDir } from './helpers.ts';

/** The README's five-minute tour, done as a newcomer would do it: every step must work as written. */
const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const root = new URL('..', import.meta.url).pathname;
const run = promisify(execFile);

function blocks(lang: string): string[] {
  return [...readme.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
}

describe("the README's tour", () => {
  it('step 2: the scenario it opens logs what the comments say', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const step = blocks('sh').find((b) => b.includes('run slow-page-timeout'))!;
      const command = step.split('\n')[0]!.replace('out/tour', join(dir, 'tour'));
      const [bin, ...args] = command.split(' ');
      await run(bin!, args, { cwd: root });
      const base = join(dir, 'tour', 'slow-page-timeout');
      const w3c = (host: string) => {
        const folder = join(base, host, 'inetpub/logs/LogFiles/W3SVC1');
        return readW3c(join(folder, readdirSync(folder)[0]!)).rows[0]!;
      };
      expect(w3c('arr')).toMatchObject({ 'sc-status': '502', 'sc-substatus': '3', 'sc-win32-status': '12002' });
      expect(Math.round(Number(w3c('arr')['time-taken']) / 1000)).toBe(30);
      expect(w3c('member1')).toMatchObject({ 'sc-status': '200', 'sc-win32-status': '64' });
      expect(Math.round(Number(w3c('member1')['time-taken']) / 1000)).toBe(45);
      for (const file of ['arr/inetpub/logs/FailedReqLogFiles/W3SVC1/fr000001.xml', 'arr/Windows/Temp/winhttp-trace.txt', 'manifest.json']) {
        expect(readFileSync(join(base, file), 'utf8').length, file).toBeGreaterThan(0);
      }
    } finally {
      cleanup();
    }
  });

  it('step 3: decode answers for the code the tour shows', async () => {
    const { stdout } = await run('node', ['bin/arr-lab.mjs', 'decode', '0x80072ee2'], { cwd: root });
    expect(stdout).toContain('ERROR_WINHTTP_TIMEOUT');
  });

  it("docs/writing-scenarios.md: the annotated example runs as written and passes", async () => {
    const { dir, cleanup } = tempDir();
    try {
      const guide = readFileSync(new URL('../docs/writing-scenarios.md', import.meta.url), 'utf8');
      const yaml = /```yaml\n([\s\S]*?)```/.exec(guide)![1]!;
      const file = join(dir, 'annotated.yaml');
      const result = await runScenario(parseYamlScenario(yaml, file), { dir: join(dir, 'out'), timeScale: 0.001 });
      expect(result.checks.filter((c) => !c.pass)).toEqual([]);
    } finally {
      cleanup();
    }
  });

  it('step 4: the scenario it shows runs as written and passes', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const yaml = blocks('yaml')[0]!;
      const file = join(dir, 'my-slow-report.yaml');
      writeFileSync(file, yaml);
      const result = await runScenario(parseYamlScenario(yaml, file), { dir: join(dir, 'out'), timeScale: 0.001 });
      expect(result.checks.filter((c) => !c.pass)).toEqual([]);
    } finally {
      cleanup();
    }
  });
});
