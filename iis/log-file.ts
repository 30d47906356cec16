import { appendFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { guardFile, releaseFile } from './log-guard.ts';

/**
 * A log directory written the way IIS and http.sys write theirs: the file is created with the
 * first entry and begins with a directive block, lines go to the file named for the entry, and a
 * size limit (where one applies) rolls over to the next file. Lines are buffered and appended in
 * whole lines; every open log is flushed when the process exits, and a process killed in the middle
 * of an append has the half-written last line cut off by the log guard (log-guard.ts).
 */
export interface LogFileNaming {
  /** File name for an entry written at nominal epoch ms `at`; `index` counts size rollovers. */
  fileName(at: number, index: number): string;
  /** Directive block written at the top of each new file. */
  header(at: number): string;
  /** Bytes after which the next file is started (http.sys `ErrorLogFileTruncateSize`). */
  truncateSize?: number;
}

const open = new Set<LogDirectory>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const log of open) log.flush();
  });
}

const FLUSH_EVERY_MS = 200;
const BUFFER_BYTES = 64 * 1024;
/** Most UTF-8 bytes one UTF-16 code unit takes. */
const MAX_BYTES_PER_CHAR = 3;

export class LogDirectory {
  /**
   * Lines waiting to be written, encoded as they come, all of one file (another file's line writes
   * them out first): a busy host's log holds one buffer, not a string per line for the heap to keep.
   */
  private buffer: Buffer | undefined;
  private used = 0;
  private bufferedFile = '';
  private currentFile: string | undefined;
  private currentPath = '';
  private currentSize = 0;
  private index = 1;
  private readonly created = new Set<string>();
  /** Lines written to each file so far (directives included), for line numbers; the current file's in currentLines. */
  private readonly lines = new Map<string, number>();
  private currentLines = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(readonly dir: string, private readonly naming: LogFileNaming) {
    installExitHook();
  }

  /** Appends one line (with its CRLF) written at nominal epoch ms `at`; returns where it lands. */
  append(at: number, line: string): { file: string; line: number } {
    if (this.closed) throw new Error(`log ${this.dir} is closed`);
    let name = this.naming.fileName(at, this.index);
    const limit = this.naming.truncateSize;
    if (limit !== undefined && name === this.currentFile && this.currentSize + line.length > limit) {
      this.index++;
      name = this.naming.fileName(at, this.index);
    }
    let text = line;
    if (name !== this.currentFile) {
      if (this.currentFile !== undefined) this.lines.set(this.currentFile, this.currentLines);
      this.currentFile = name;
      this.currentPath = join(this.dir, name);
      this.currentSize = 0;
      this.currentLines = this.lines.get(name) ?? 0;
      if (!this.created.has(name)) {
        this.created.add(name);
        guardFile(resolve(this.dir, name));
        text = this.naming.header(at) + line;
      }
    }
    this.currentLines += text === line ? 1 : text.split('\r\n').length - 1;
    // Only a size limit needs the file's size in bytes.
    if (limit !== undefined) this.currentSize += Buffer.byteLength(text);
    this.hold(name, text);
    if (this.used > 0 && !this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, FLUSH_EVERY_MS);
      this.timer.unref();
    }
    return { file: this.currentPath, line: this.currentLines };
  }

  /** Files this log has written, in creation order. */
  files(): string[] {
    return [...this.created].map((name) => join(this.dir, name));
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.used === 0) return;
    mkdirSync(this.dir, { recursive: true });
    appendFileSync(join(this.dir, this.bufferedFile), this.buffer!.subarray(0, this.used));
    this.used = 0;
    open.delete(this);
  }

  /** Buffers `text` for `file`, writing out what is buffered first when it is another file's or `text` would not fit. */
  private hold(file: string, text: string): void {
    if (this.used > 0 && (file !== this.bufferedFile || this.used + text.length * MAX_BYTES_PER_CHAR > BUFFER_BYTES)) this.flush();
    if (text.length * MAX_BYTES_PER_CHAR > BUFFER_BYTES) {
      mkdirSync(this.dir, { recursive: true });
      appendFileSync(join(this.dir, file), text);
      return;
    }
    this.buffer ??= Buffer.allocUnsafe(BUFFER_BYTES);
    if (this.used === 0) open.add(this);
    this.used += this.buffer.write(text, this.used);
    this.bufferedFile = file;
  }

  close(): void {
    this.flush();
    this.closed = true;
    for (const name of this.created) releaseFile(resolve(this.dir, name));
  }
}
