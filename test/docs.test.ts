import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { behaviours } from '../backends/behaviours/index.ts';
import { malformedTable } from '../lab/docs/malformed-table.ts';
import { settingsTable } from '../lab/docs/settings-table.ts';
import { CLASSIFICATION, errorCodeOf, win32StatusOf } from '../proxy/failure-classification.ts';
import { allBlocks, COMMAND_LINE, kindOf, where } from './doc-blocks.ts';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const arrModel = readFileSync(new URL('../docs/arr-model.md', import.meta.url), 'utf8');
const scenarios = readFileSync(new URL('../docs/writing-scenarios.md', import.meta.url), 'utf8');

describe('README and docs', () => {
  it('stays short: a newcomer reads it in a few minutes, the rest is in docs/', () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(12 * 1024);
  });

  it('lists the same commands in the README as docs/cli.md, and every command the CLI has', () => {
    const synopsis = (text: string) => /```text usage\n(arr-lab run [\s\S]*?)```/.exec(text)?.[1];
    const cli = readFileSync(new URL('../docs/cli.md', import.meta.url), 'utf8');
    expect(synopsis(readme)).toBe(synopsis(cli));
    const help = execFileSync(process.execPath, ['bin/arr-lab.mjs', '--help'], { encoding: 'utf8' });
    const commands = [...help.split('Commands:')[1]!.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]).filter((c) => c !== 'help');
    for (const c of commands) expect(synopsis(cli), c).toContain(`arr-lab ${c} `);
  });

  it('documents every row of the failure table with its codes', () => {
    for (const row of CLASSIFICATION) {
      const line = arrModel.split('\n').find((l) => l.startsWith(`| \`${row.id}\` |`));
      expect(line, row.id).toBeDefined();
      expect(line).toContain(`0x${errorCodeOf(row).toString(16).padStart(8, '0')}`);
      expect(line).toContain(`| ${win32StatusOf(row)} |`);
      expect(line).toContain(`| ${row.status}.${row.substatus} |`);
      expect(line!.trim().endsWith(`| ${row.evidence} |`)).toBe(true);
    }
  });

  it('has the farm-settings table as the schema and the honoured list make it (npx tsx scripts/settings-table.ts)', () => {
    const table = /<!-- settings-table:begin -->\n([\s\S]*?)\n<!-- settings-table:end -->/.exec(arrModel);
    expect(table, 'settings-table markers').not.toBeNull();
    expect(table![1]).toBe(settingsTable());
  });

  it('documents every member behaviour', () => {
    for (const b of behaviours) expect(scenarios, b.name).toContain(`| \`${b.name}\` |`);
  });

  it('shows the two commands of the first screen', () => {
    const firstScreen = readme.split('\n').filter((l) => !l.startsWith('<!--')).slice(0, 15).join('\n');
    expect(firstScreen).toContain('npm install && npm start');
    expect(firstScreen).toContain('npm install && npm test');
  });
});

describe('the examples in README and docs/ (what test/doc-examples.test.ts does with each)', () => {
  const blocks = allBlocks();

  it('every fenced block says what it is: a kind the doc-tests run or check, or text', () => {
    const unknown = blocks.filter((b) => kindOf(b) === undefined).map((b) => `${where(b)} \`\`\`${b.lang} ${[...b.attrs].join(' ')}`);
    expect(unknown).toEqual([]);
  });

  it('a text block holds no command: commands are sh blocks, which run', () => {
    const commands = blocks.filter((b) => kindOf(b) === 'text').flatMap((b) => b.text.split('\n').filter((l) => COMMAND_LINE.test(l)).map((l) => `${where(b)}: ${l}`));
    expect(commands).toEqual([]);
  });

  it('only these blocks are not run, each with its reason', () => {
    expect(blocks.filter((b) => b.notRun).map((b) => `${b.page} ${b.lang}: ${b.notRun}`)).toEqual([
      'README.md sh: installs the project and runs this suite itself; the tour test runs `npm start`',
      'docs/containers.md sh: needs a Docker engine and root; test/containers.test.ts runs the containers suite where one answers',
      'docs/containers.md ts: needs a Docker engine; test/containers.test.ts drives the same helpers',
      "docs/tools.md sh: needs a Windows server's log folders; test/tools.test.ts diagnoses folders laid out the same way",
      'docs/training.md sh: starts servers that run until Ctrl-C; test/live-serve-cli.test.ts starts `arr-lab serve` as a process',
    ]);
  });
});

describe('docs/http-sys-front.md', () => {
  it('has the malformed-request table the tests send (npx tsx scripts/malformed-table.ts)', () => {
    const guide = readFileSync(new URL('../docs/http-sys-front.md', import.meta.url), 'utf8');
    const table = /<!-- malformed-table:begin -->\n([\s\S]*?)\n<!-- malformed-table:end -->/.exec(guide);
    expect(table, 'malformed-table markers').not.toBeNull();
    expect(table![1]).toBe(malformedTable());
  });
});
