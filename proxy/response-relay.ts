import type { HostRequest } from '../iis/host-request.ts';
import { classify, errorCodeOf, win32StatusOf, type ClassificationRow } from './failure-classification.ts';
import type { Failure } from './failure.ts';
import type { FarmConfig } from './farm-config.ts';
import type { ForwardSink } from './forwarder.ts';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

export interface RelayOutcome {
  failure: ClassificationRow | undefined;
  /** What the forwarder saw, when the trip failed. */
  observed?: Failure;
  status: number;
  bytesReceived: number;
}

/**
 * Carries the member's response back to the client the way ARR does (docs/reference.md §1.5): ARR retains
 * the response ("Response buffer threshold", `responseBufferLimit` KB) and sends nothing to the
 * client until the body it holds exceeds that size or the response is complete. So a member that
 * fails while the response is held still becomes a 502.3 error page; once ARR has started sending,
 * a failure can only abort the client connection.
 *
 * The lab's reading [I]: the threshold counts body bytes (headers go out with the first flush), so
 * `responseBufferLimit="0"` streams from the first body byte. `bufferChunkedResponses="false"`
 * streams a response without a Content-Length the same way whatever the limit. `minResponseBuffer`
 * ("Response buffer") is the size of the buffer each read from the member fills; a read returns
 * what has arrived without waiting for it to fill, so it changes memory use, not what the client
 * or any log sees, and the lab accepts it without acting on it.
 */
export class ResponseRelay implements ForwardSink {
  private status = 0;
  private statusText = '';
  private rawHeaders: Buffer[] = [];
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private committed = false;
  private bytesReceived = 0;
  private resume: (() => void) | undefined;
  /** Body bytes ARR retains before it starts sending to the client. */
  private limit: number;

  constructor(
    private readonly request: HostRequest,
    private readonly farm: FarmConfig,
    private readonly done: (outcome: RelayOutcome) => void,
  ) {
    this.limit = farm.protocol.responseBufferLimit * 1024;
  }

  onResponse(status: number, statusText: string, rawHeaders: Buffer[], resume: () => void): void {
    this.status = status;
    this.statusText = statusText;
    this.rawHeaders = rawHeaders;
    this.resume = resume;
    for (const b of rawHeaders) this.bytesReceived += b.length + 2;
    if (!this.farm.protocol.bufferChunkedResponses && !hasContentLength(rawHeaders)) this.limit = 0;
  }

  onData(chunk: Buffer): boolean {
    this.bytesReceived += chunk.length;
    if (!this.committed) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      if (this.buffered <= this.limit) return true;
      this.commit(undefined);
      for (const c of this.chunks.splice(0)) this.request.res.write(c);
      return true;
    }
    const res = this.request.res;
    if (this.request.clientGone) return true;
    if (res.write(chunk)) return true;
    res.once('drain', this.resume!);
    return false;
  }

  onComplete(): void {
    const { res } = this.request;
    if (!this.committed) {
      // A body that came in one read is sent as it came: no copy of it.
      const body = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
      this.commit(this.bodyless() ? undefined : body.length);
      res.end(this.bodyless() ? undefined : body);
    } else {
      res.end();
    }
    this.done({ failure: undefined, status: this.status, bytesReceived: this.bytesReceived });
  }

  onFailure(failure: Failure): void {
    const row = classify(failure);
    const request = this.request;
    if (!this.committed) {
      request.fail(errorPage(row));
    } else {
      // Headers and part of the body are already with the client: all ARR can do is cut it off.
      request.win32 = win32StatusOf(row);
      request.res.destroy();
    }
    this.done({ failure: row, observed: failure, status: row.status, bytesReceived: this.bytesReceived });
  }

  private bodyless(): boolean {
    return this.request.req.method === 'HEAD' || this.status === 204 || this.status === 304;
  }

  private commit(contentLength: number | undefined): void {
    this.committed = true;
    const { res } = this.request;
    res.statusCode = this.status;
    res.statusMessage = this.statusText;
    // The member's headers by name as spelled, each with its values in arrival order (a handful: a
    // list costs less than a map).
    const names: string[] = [];
    const lowers: string[] = [];
    const values: (string | string[])[] = [];
    const poweredBy: string[] = [];
    const raw = this.rawHeaders;
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i]!.toString('latin1');
      const lower = name.toLowerCase();
      const value = raw[i + 1]!.toString('latin1');
      if (HOP_BY_HOP.has(lower)) continue;
      if (lower === 'content-length' && contentLength !== undefined) continue;
      if (lower === 'server' && this.farm.passServerHeader !== 'PassThrough') continue;
      if (lower === 'x-powered-by') {
        poweredBy.push(value);
        continue;
      }
      const at = names.indexOf(name);
      if (at < 0) {
        names.push(name);
        lowers.push(lower);
        values.push(value);
      } else {
        const prior = values[at]!;
        if (Array.isArray(prior)) prior.push(value);
        else values[at] = [prior, value];
      }
    }
    if (this.farm.passServerHeader !== 'Replace') res.removeHeader('Server');
    for (let i = 0; i < names.length; i++) {
      // Set-Cookie adds to what ARR set already (an affinity cookie); everything else replaces.
      if (lowers[i] === 'set-cookie') res.appendHeader(names[i]!, values[i]!);
      else res.setHeader(names[i]!, values[i]!, lowers[i]);
    }
    if (this.farm.protocol.arrResponseHeader) poweredBy.push('ARR/3.0');
    if (poweredBy.length > 0) res.setHeader('X-Powered-By', poweredBy);
    if (contentLength !== undefined) res.setHeader('Content-Length', contentLength);
  }
}

function hasContentLength(rawHeaders: Buffer[]): boolean {
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]!.toString('latin1').toLowerCase() === 'content-length') return true;
  return false;
}

export const NO_SERVER_TEXT = 'No appropriate server could be found to route the request.';

/** ARR's detailed error page for a classification row (docs/reference.md §4.1). */
export function errorPage(row: ClassificationRow) {
  return {
    status: row.status,
    substatus: row.substatus,
    win32: win32StatusOf(row),
    errorCode: errorCodeOf(row),
    errorText: row.winhttp?.text,
    description: row.winhttp?.text ?? NO_SERVER_TEXT,
    module: 'ApplicationRequestRouting',
    notification: row.substatus === 4 ? 'MapRequestHandler' : 'ExecuteRequestHandler',
    handler: 'ApplicationRequestRoutingHandler',
  };
}
