import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { transform } from 'esbuild';
import { parseDocument } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseYamlScenario } from '../lab/scenario/load.ts';
import { runScenario } from '../lab/scenario/run.ts';
import { allBlocks, blocksOf, kindOf, where, type DocBlock } from './doc-blocks.ts';
import { arrLab, docWorkspace, runShell } from './doc-workspace.ts';
import { readW3c, tempDir } from './helpers.ts';
import { startServedLab } from './live-helper.ts';

/**
 * Every example of README.md and docs/*.md, done as written (test/doc-blocks.ts says which block
 * is what; test/docs.test.ts that none is left out).
 */
const ROOT = new URL('..', import.meta.url).pathname;
const blocks = allBlocks().filter((b) => !b.notRun);
const ofKind = (kind: ReturnType<typeof kindOf>) => blocks.filter((b) => kindOf(b) === kind);
const ANSI = /\x1b\[/;

/** A shell page's blocks run in order in one workspace, after the page's `yaml file=` blocks are saved there. */
async function runPage(page: string, dir: string, env: NodeJS.ProcessEnv): Promise<void> {
  const own = blocksOf(page).filter((b) => !b.notRun);
  for (const b of own.filter((b) => b.file)) writeFileSync(join(dir, b.file!), b.text);
  for (const b of own.filter((b) => kindOf(b) === 'sh')) {
    const { code, output } = await runShell(b.text, dir, env, 300_000);
    expect(code, `${where(b)} exited ${code}:\n${output}`).toBe(0);
    expect(ANSI.test(output), `${where(b)}: colour codes in piped output`).toBe(false);
  }
}

describe('shell blocks run as written, in a fresh workspace', () => {
  const pages = [...new Set(ofKind('sh').map((b) => b.page))];
  for (const page of pages.filter((p) => p !== 'README.md')) {
    it(page, { timeout: 300_000 }, async () => {
      const { dir, env, cleanup } = docWorkspace();
      try {
        await runPage(page, dir, env);
      } finally {
        cleanup();
      }
    });
  }
});

describe("the README's tour, as a newcomer does it", () => {
  let ws: ReturnType<typeof docWorkspace>;
  beforeAll(() => {
    ws = docWorkspace();
  });
  afterAll(() => ws.cleanup());

  it('step 1: `npm start` prints the table the README shows', { timeout: 120_000 }, async () => {
    const { code, output } = await runShell('npm start', ws.dir, ws.env, 120_000);
    expect(code, output).toBe(0);
    // Timestamps and times differ from run to run; everything else is as shown.
    const normal = (s: string) => s.replace(/run-\d{8}-\d{6}/g, 'run-YYYYMMDD-HHMMSS').replace(/[\d.]+ s nominal in [\d.]+ s wall/, 'N s nominal in W s wall');
    const shown = blocksOf('README.md').find((b) => kindOf(b) === 'text')!;
    for (const line of shown.text.trim().split('\n')) expect(normal(output), line).toContain(normal(line));
  });

  it("steps 2 and 4: its shell blocks run, and the scenario it opens logs what the comments say", { timeout: 120_000 }, async () => {
    await runPage('README.md', ws.dir, ws.env);
    const base = join(ws.dir, 'out', 'tour', 'slow-page-timeout');
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
  });

  it('step 3: decode answers for the code the tour shows', () => {
    const { code, stdout } = arrLab(['decode', '0x80072ee2']);
    expect(code).toBe(0);
    expect(stdout).toContain('ERROR_WINHTTP_TIMEOUT');
  });
});

describe('scenario blocks run and pass', () => {
  for (const b of ofKind('scenario')) {
    it(where(b), async () => {
      const { dir, cleanup } = tempDir();
      try {
        const loaded = parseYamlScenario(b.text, join(dir, b.file ?? 'example.yaml'));
        const result = await runScenario(loaded, { dir: join(dir, 'out'), timeScale: 0.001 });
        expect(result.checks.filter((c) => !c.pass)).toEqual([]);
      } finally {
        cleanup();
      }
    });
  }
});

/** Where a fragment is read from: a catalog file's place, so relative paths in it resolve as the docs say. */
const FRAGMENT_FILE = join(ROOT, 'scenarios', 'arr', 'doc-fragment.yaml');

/** The keys a fragment may leave out, appended after it so that problems keep the fragment's own line numbers. */
const SKELETON: Record<string, string> = {
  name: 'name: doc-fragment',
  description: 'description: A fragment of the docs, completed so that it loads.',
  suites: 'suites: [docs]',
  members: 'members: [{ name: member1 }, { name: member2 }, { name: member3 }]',
  requests: 'requests: [{ path: / }]',
};

describe('scenario fragments load once completed', () => {
  for (const b of ofKind('fragment')) {
    it(where(b), () => {
      const present = parseDocument(b.text).toJS() ?? {};
      const completion = Object.entries(SKELETON).filter(([key]) => !(key in present)).map(([, line]) => line);
      expect(() => parseYamlScenario(`${b.text}${completion.join('\n')}\n`, FRAGMENT_FILE)).not.toThrow();
      const schema = /\$schema=(\S+)/.exec(b.text)?.[1];
      if (schema) expect(readFileSync(resolve(dirname(FRAGMENT_FILE), schema), 'utf8')).toContain('"$schema"');
    });
  }
});

describe('applicationHost.config examples are read by `arr-lab config`', () => {
  for (const b of ofKind('config')) {
    it(where(b), () => {
      const { dir, cleanup } = tempDir();
      try {
        const file = join(dir, 'applicationHost.config');
        writeFileSync(file, b.text);
        const { code, stdout, stderr } = arrLab(['config', file]);
        expect(code, stderr).toBe(0);
        expect(stdout).toContain('setting');
      } finally {
        cleanup();
      }
    });
  }
});

describe('TypeScript blocks run', () => {
  // A block may use what its page says is in scope; each helper is named here once.
  const scope = { startServedLab };
  for (const b of ofKind('ts')) {
    it(where(b), { timeout: 60_000 }, async () => {
      const { code } = await transform(b.text, { loader: 'ts', format: 'esm' });
      const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<void>;
      await new AsyncFunction(...Object.keys(scope), code)(...Object.values(scope));
    });
  }
});

describe('command synopses match the CLI', () => {
  const helps = new Map<string, string>();
  const help = (command: string) => {
    if (!helps.has(command)) helps.set(command, arrLab(command ? [command, '--help'] : ['--help']).stdout);
    return helps.get(command)!;
  };
  /** `arr-lab run [targets...] [--out DIR]` → run, [--out]; `arr-lab --version` → '' (the program itself); indented lines continue the one above. */
  const synopses = (b: DocBlock) =>
    b.text.replace(/\n\s+(?=\S)/g, ' ').split('\n').filter((l) => l.startsWith('arr-lab ')).map((line) => {
      const word = line.split(/\s+/)[1]!;
      return { line, command: /^[a-z]/.test(word) ? word : '', options: [...line.matchAll(/--[a-z][a-z-]*/g)].map((m) => m[0]) };
    });

  for (const b of ofKind('usage')) {
    it(`${where(b)}: every command and option it shows exists`, () => {
      for (const s of synopses(b)) {
        if (s.command) expect(help(''), s.line).toMatch(new RegExp(`^  ${s.command} `, 'm'));
        for (const option of s.options) expect(help(s.command), s.line).toContain(option);
      }
    });
  }

  it('docs/cli.md shows every command and every option the CLI has', () => {
    const shown = blocksOf('docs/cli.md').filter((b) => kindOf(b) === 'usage').flatMap(synopses);
    const commands = [...help('').matchAll(/^  ([a-z]+) /gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    for (const command of ['', ...commands]) {
      const options = new Set([...help(command).matchAll(/^\s+(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]!));
      options.delete('--help');
      const documented = new Set(shown.filter((s) => s.command === command).flatMap((s) => s.options));
      expect([...options].filter((o) => !documented.has(o)), `arr-lab ${command}`).toEqual([]);
    }
  });
});
