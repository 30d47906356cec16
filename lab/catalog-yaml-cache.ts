import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { CATALOG_DIR } from './catalog-dir.ts';

/**
 * The catalog's YAML files as parsed data, kept beside the compiled CLI (git-ignored, rebuilt with
 * it, so a new `yaml` package never reads an old cache). Parsing is most of what loading the
 * catalog costs a fresh process (`run all`, `list`), while validating the parsed data is cheap;
 * the scenarios are still validated on every load, and a file that fails is parsed again for its
 * line numbers. Entries are keyed by the file's content, so an edited file is parsed afresh.
 */
const CACHE = join(dirname(CATALOG_DIR.replace(/[\\/]$/, '')), 'dist', 'catalog-yaml.json');

type Entries = Record<string, { sha1: string; raw: unknown }>;

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

export class CatalogYamlCache {
  private readonly entries: Entries;
  private readonly fresh: Entries = {};
  private changed = false;

  /** `file`: where the cache lives; only the built-in catalog has one unless a caller names it. */
  constructor(
    private readonly dir = CATALOG_DIR,
    private readonly file = dir === CATALOG_DIR ? CACHE : undefined,
  ) {
    try {
      this.entries = file !== undefined ? (JSON.parse(readFileSync(file, 'utf8')) as Entries) : {};
    } catch {
      // No cache yet, or one cut short: every file is parsed.
      this.entries = {};
    }
  }

  /** The parsed data of `file` when its text is the one cached. */
  lookup(file: string, text: string): { raw: unknown } | undefined {
    const entry = this.entries[relative(this.dir, file)];
    return entry?.sha1 === sha1(text) ? { raw: entry.raw } : undefined;
  }

  /** Keeps what a file parsed to, if JSON carries it unchanged (YAML's `.nan` and `.inf` it does not). */
  remember(file: string, text: string, raw: unknown): void {
    const key = relative(this.dir, file);
    const hash = sha1(text);
    if (this.entries[key]?.sha1 === hash) {
      this.fresh[key] = this.entries[key]!;
      return;
    }
    const copy: unknown = JSON.parse(JSON.stringify(raw) ?? 'null');
    if (!isDeepStrictEqual(copy, raw)) return;
    this.fresh[key] = { sha1: hash, raw: copy };
    this.changed = true;
  }

  /** Writes the entries of this load (files since removed drop out); a read-only install just parses each time. */
  save(): void {
    if (this.file === undefined || !existsSync(dirname(this.file))) return;
    if (!this.changed && Object.keys(this.fresh).length === Object.keys(this.entries).length) return;
    try {
      writeFileSync(`${this.file}.tmp`, JSON.stringify(this.fresh));
      renameSync(`${this.file}.tmp`, this.file);
    } catch {
      // Not writable: the next load parses again.
    }
  }
}
