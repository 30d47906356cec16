/**
 * Takes a request's entity body off the connection's bytes: a fixed Content-Length, or chunked
 * (chunk extensions ignored, trailers read and dropped). `feed` returns how many bytes of `buf`
 * belong to the body; what follows is the next pipelined request.
 */
export interface BodyDecoder {
  feed(buf: Buffer, out: (chunk: Buffer) => void): number;
  readonly done: boolean;
  /** Set when the client's bytes are not a valid chunked body. */
  readonly error: string | undefined;
}

export class LengthDecoder implements BodyDecoder {
  error = undefined;
  constructor(private remaining: number) {}

  get done(): boolean {
    return this.remaining === 0;
  }

  feed(buf: Buffer, out: (chunk: Buffer) => void): number {
    const n = Math.min(buf.length, this.remaining);
    if (n > 0) out(buf.subarray(0, n));
    this.remaining -= n;
    return n;
  }
}

/** Longest chunk-size line (with extensions) the lab accepts [I]. */
const MAX_SIZE_LINE = 1024;

export class ChunkedDecoder implements BodyDecoder {
  private state: 'size' | 'data' | 'data-crlf' | 'trailer' | 'done' = 'size';
  private remaining = 0;
  error: string | undefined;

  get done(): boolean {
    return this.state === 'done';
  }

  feed(buf: Buffer, out: (chunk: Buffer) => void): number {
    let i = 0;
    while (i < buf.length && this.state !== 'done' && this.error === undefined) {
      if (this.state === 'data') {
        const n = Math.min(buf.length - i, this.remaining);
        out(buf.subarray(i, i + n));
        i += n;
        this.remaining -= n;
        if (this.remaining === 0) this.state = 'data-crlf';
        continue;
      }
      const lf = buf.indexOf(0x0a, i);
      if (lf < 0) {
        if (buf.length - i > MAX_SIZE_LINE) this.error = 'chunk line too long';
        return i;
      }
      if (buf[lf - 1] !== 0x0d || lf === i) {
        this.error = 'chunk line not ended by CRLF';
        return i;
      }
      const line = buf.toString('latin1', i, lf - 1);
      i = lf + 1;
      if (this.state === 'data-crlf') {
        if (line !== '') this.error = 'chunk data longer than its size';
        else this.state = 'size';
      } else if (this.state === 'size') {
        const size = line.split(';')[0]!.trim();
        if (!/^[0-9A-Fa-f]{1,15}$/.test(size)) {
          this.error = 'bad chunk size';
          return i;
        }
        this.remaining = Number.parseInt(size, 16);
        this.state = this.remaining === 0 ? 'trailer' : 'data';
      } else if (line === '') {
        this.state = 'done';
      }
    }
    return i;
  }
}
