import { readdirSync, readFileSync } from 'node:fs';

/**
 * The fenced blocks of README.md and docs/*.md, and what the doc-tests do with each, read from the
 * block's info string (docs/layout.md, "Examples in the docs are tests"):
 * `sh` runs; `yaml` runs as a scenario; `yaml fragment` is completed and loaded; `yaml file=NAME`
 * is also saved as NAME before the page's `sh` blocks run; `xml` is read by `arr-lab config`;
 * `ts` runs; `text usage` is checked against `--help`; `text` is output, a listing or a capture
 * and may hold no command. `<!-- doc-test: not run: REASON -->` on the line before a block
 * exempts it, with its reason.
 */
export interface DocBlock {
  /** Path from the repository root, e.g. `docs/cli.md`. */
  page: string;
  /** Line of the opening fence (1-based). */
  line: number;
  lang: string;
  attrs: Set<string>;
  /** `file=NAME`. */
  file?: string;
  notRun?: string;
  text: string;
}

const root = new URL('..', import.meta.url);

export const DOC_PAGES = ['README.md', ...readdirSync(new URL('docs/', root)).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

export function blocksOf(page: string, markdown = readFileSync(new URL(page, root), 'utf8')): DocBlock[] {
  const lines = markdown.split('\n');
  const blocks: DocBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,})\s*(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent, fence, info] = open;
    const end = lines.findIndex((l, j) => j > i && l.startsWith(`${indent}${fence}`) && l.trim() === fence);
    if (end < 0) throw new Error(`${page}:${i + 1}: a fenced block is never closed`);
    const [lang = '', ...words] = info!.trim().split(/\s+/).filter(Boolean);
    const notRun = /^<!-- doc-test: not run: (.+?) -->$/.exec(lines[i - 1]?.trim() ?? '')?.[1];
    blocks.push({
      page,
      line: i + 1,
      lang,
      attrs: new Set(words.filter((w) => !w.includes('='))),
      file: words.find((w) => w.startsWith('file='))?.slice('file='.length),
      notRun,
      text: lines.slice(i + 1, end).map((l) => l.slice(indent!.length)).join('\n') + '\n',
    });
    i = end;
  }
  return blocks;
}

export const allBlocks = (): DocBlock[] => DOC_PAGES.flatMap((page) => blocksOf(page));

export const where = (b: DocBlock) => `${b.page}:${b.line}`;

/** What the doc-tests do with a block; `undefined` when its info string asks for nothing they know. */
export function kindOf(b: DocBlock): 'sh' | 'scenario' | 'fragment' | 'config' | 'ts' | 'usage' | 'text' | undefined {
  const only = (...allowed: string[]) => [...b.attrs].every((a) => allowed.includes(a));
  if (b.lang === 'sh' && only()) return 'sh';
  if (b.lang === 'yaml' && b.attrs.has('fragment') && only('fragment') && !b.file) return 'fragment';
  if (b.lang === 'yaml' && only()) return 'scenario';
  if (b.lang === 'xml' && only()) return 'config';
  if (b.lang === 'ts' && only()) return 'ts';
  if (b.lang === 'text' && b.attrs.has('usage') && only('usage')) return 'usage';
  if (b.lang === 'text' && only()) return 'text';
  return undefined;
}

/** A line a reader would type: a text block holding one should be `sh`. */
export const COMMAND_LINE = /^\s*(?:\$\s+)?(?:arr-lab|npx|npm|node|bash|curl|cat)\s+[^\s:]+(?:\s|$)/;

/** The logical lines of a shell block (continuations joined), without comments or blank lines. */
export function commandsOf(script: string): string[] {
  return script
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter(Boolean);
}
