import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Every `§X.Y` cited in code, scenarios and docs must exist in docs/reference.md, and so must the
 * numbered table rows (`§9 row 4`, `§3.2 last row`) and open questions (`§10 q6`) they name.
 * Citations are accepted in the old form (`arr-reference.md §3.2`, `arr-reference §3.2`,
 * `reference §3.2`) and the new one (`docs/reference.md §3.2`) until scripts/rewrite-citations.sh
 * has run on the whole tree.
 */
const ROOT = join(import.meta.dirname, '..');
const REFERENCE = join(ROOT, 'docs', 'reference.md');
/** This file cites sections that do not exist, on purpose. */
const SELF = join(ROOT, 'test', 'reference.test.ts');
const SKIP = new Set(['node_modules', '.git', 'out', 'scratch', 'tmp']);
const CITING_FILE = /arr-reference|reference\.md §|(^|[^-/.\w])reference §/m;

interface Section {
  /** Data rows of the section's first table. */
  rows: number;
  /** Numbered list items (the open questions of §10). */
  questions: number;
}

function referenceSections(markdown: string): Map<string, Section> {
  const sections = new Map<string, Section>();
  let current: Section | undefined;
  let inTable = false;
  let tableDone = false;
  let inCode = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) inCode = !inCode;
    if (inCode) continue;
    const heading = /^#{2,3} (\d+(?:\.\d+)?)[. ]/.exec(line);
    if (heading) {
      current = { rows: 0, questions: 0 };
      sections.set(heading[1]!, current);
      inTable = false;
      tableDone = false;
      continue;
    }
    if (!current) continue;
    if (line.startsWith('|')) {
      if (!tableDone) {
        if (!inTable) inTable = true; // the header row
        else if (!/^\|[-| :]+\|$/.test(line)) current.rows++;
      }
    } else if (inTable) {
      inTable = false;
      tableDone = true;
    }
    if (/^\d+\. /.test(line)) current.questions++;
  }
  return sections;
}

interface Citation {
  file: string;
  line: number;
  text: string;
  section: string;
  row?: number | 'last';
  question?: number;
}

/** The `§` citations of one file (only files that cite the reference at all are read). */
function citationsIn(file: string, text: string): Citation[] {
  if (!CITING_FILE.test(text)) return [];
  const out: Citation[] = [];
  text.split('\n').forEach((lineText, i) => {
    for (const m of lineText.matchAll(/§\s?(\d+(?:\.\d+)?)(?:\s*[-–]\s*(\d+(?:\.\d+)?))?(?:\s+(?:row\s+(\d+)|(last) row|q(\d+)))?/g)) {
      const base = { file, line: i + 1, text: m[0] };
      out.push({ ...base, section: m[1]!, row: m[3] ? Number(m[3]) : m[4] ? 'last' : undefined, question: m[5] ? Number(m[5]) : undefined });
      if (m[2]) out.push({ ...base, section: m[2] });
    }
  });
  return out;
}

function* sourceFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sourceFiles(path);
    else if (/\.(ts|mts|mjs|ya?ml|md)$/.test(entry.name) && path !== REFERENCE && path !== SELF) yield path;
  }
}

/** What is wrong with a citation, or undefined when docs/reference.md has what it points at. */
function problemWith(c: Citation, sections: Map<string, Section>): string | undefined {
  const section = sections.get(c.section);
  if (!section) return `§${c.section} is not a section of docs/reference.md`;
  if (typeof c.row === 'number' && c.row > section.rows) return `§${c.section} has ${section.rows} table rows, not ${c.row}`;
  if (c.row === 'last' && section.rows === 0) return `§${c.section} has no table`;
  if (c.question !== undefined && c.question > section.questions) return `§${c.section} has ${section.questions} questions, not q${c.question}`;
  return undefined;
}

describe('docs/reference.md', () => {
  const sections = referenceSections(readFileSync(REFERENCE, 'utf8'));

  it('keeps the section numbering of the shared reference, §0 to §10', () => {
    const top = [...sections.keys()].filter((k) => !k.includes('.'));
    expect(top).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    expect([...sections.keys()].filter((k) => k.startsWith('1.'))).toEqual(['1.1', '1.2', '1.3', '1.4', '1.5', '1.6', '1.7', '1.8', '1.9', '1.10', '1.11']);
    expect(sections.get('3.2')!.rows).toBe(7);
    expect(sections.get('9')!.rows).toBe(9);
    expect(sections.get('10')!.questions).toBe(15);
  });

  it('has every section, table row and open question that code, scenarios and docs cite', () => {
    const citations = [...sourceFiles(ROOT)].flatMap((path) => citationsIn(relative(ROOT, path), readFileSync(path, 'utf8')));
    // Scenario files, code comments and decode all cite it: an empty scan means the scan is broken.
    expect(citations.length).toBeGreaterThan(100);
    const broken = citations.flatMap((c) => {
      const problem = problemWith(c, sections);
      return problem ? [`${c.file}:${c.line}: "${c.text}": ${problem}`] : [];
    });
    expect(broken).toEqual([]);
  });

  it('catches a citation of a section, row or question that does not exist', () => {
    const cite = (text: string) => citationsIn('x.yaml', `reference: ${text}`).map((c) => problemWith(c, sections));
    expect(cite('arr-reference.md §3.2 row 1, §9 row 4')).toEqual([undefined, undefined]);
    expect(cite('docs/reference.md §6.4-6.5, §10 q6')).toEqual([undefined, undefined, undefined]);
    expect(cite('arr-reference.md §3.9')).toEqual(['§3.9 is not a section of docs/reference.md']);
    expect(cite('docs/reference.md §1.5–1.12')).toEqual([undefined, '§1.12 is not a section of docs/reference.md']);
    expect(cite('arr-reference §9 row 12')).toEqual(['§9 has 9 table rows, not 12']);
    expect(cite('reference §10 q16')).toEqual(['§10 has 15 questions, not q16']);
  });

  it('is not read for files that do not cite it', () => {
    expect(citationsIn('other.md', 'see §4 of the RFC')).toEqual([]);
  });
});
