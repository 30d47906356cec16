import { Agent, Headers, buildConnector, getSetCookies, request } from 'undici';
import { LAB_REQUEST_HEADER } from '../iis/host-request.ts';
import { parseDetailedError } from '../iis/detailed-error-page.ts';
import type { Lab } from './lab.ts';

export interface ClientResult {
  /** The lab request id sent in the marker header. */
  id: string;
  /** The named client that sent it. */
  client: string;
  method: string;
  path: string;
  status?: number;
  /** From the detailed error page, when the response is one. */
  substatus?: number;
  errorCode?: string;
  description?: string;
  headers?: Record<string, string | string[] | undefined>;
  /** The body, cut at 16 KiB. */
  body?: string;
  bodyBytes?: number;
  /** A failure of the client's own connection (the proxy cut the response off, for instance). */
  networkError?: string;
  /** Nominal epoch ms. */
  sentAt: number;
  doneAt: number;
}

export interface ClientRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
}

const BODY_KEPT = 16 * 1024;

/** The site name a deterministic run's client asks for (real runs send the loopback address). */
const MODELLED_HOST = 'arr.contoso.test';

/** The scenario's browser: sends requests to the lab's controller and reads what comes back. */
export class LabClient {
  private readonly agent: Agent;
  /** Cookies per named client, as a browser keeps them (name → value; path and domain ignored). */
  private readonly jars = new Map<string, Map<string, string>>();

  constructor(private readonly lab: Lab) {
    const modelled = lab.addresses;
    const base = buildConnector({});
    // In a deterministic run the client's connections get modelled source ports, in order.
    const connect: buildConnector.connector = modelled
      ? (opts, callback) =>
          base(opts, (err, socket) => {
            if (socket) modelled.book.connected(socket, modelled.clientIp);
            callback(err, socket as never);
          })
      : base;
    this.agent = new Agent({ headersTimeout: 0, bodyTimeout: 0, pipelining: 1, connect });
  }

  /**
   * Sends one request on a timeline of its own that starts at the caller's instant (a scenario
   * step's), so requests sent together leave at one nominal instant; ARR's timeline for the
   * request starts from it, and this one ends where ARR's stood when the answer came back.
   */
  send(id: string, req: ClientRequest, client = 'client'): Promise<ClientResult> {
    const clock = this.lab.clock;
    return clock.begin().run(async () => {
      clock.offer(id);
      try {
        return await this.exchange(id, req, client);
      } finally {
        clock.withdraw(id);
        clock.timeline()!.finish();
      }
    });
  }

  private async exchange(id: string, req: ClientRequest, client: string): Promise<ClientResult> {
    const clock = this.lab.clock;
    const sentAt = clock.now();
    const base = { id, client, method: req.method, path: req.path, sentAt };
    const jar = this.jars.get(client) ?? new Map<string, string>();
    this.jars.set(client, jar);
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    try {
      const res = await request(this.lab.url(req.path), {
        dispatcher: this.agent,
        method: req.method as 'GET',
        headers: {
          ...(this.lab.addresses ? { host: MODELLED_HOST } : {}),
          // A scenario's own User-Agent, in whatever case, replaces the default rather than joining it.
          ...(hasHeader(req.headers, 'user-agent') ? {} : { 'user-agent': 'arr-lab-client/0.1' }),
          ...(cookie ? { cookie } : {}), ...req.headers, [LAB_REQUEST_HEADER]: id,
        },
        body: req.body,
      });
      for (const c of getSetCookies(new Headers(flatten(res.headers)))) jar.set(c.name, c.value);
      const buf = Buffer.from(await res.body.arrayBuffer());
      clock.heard(id);
      const body = buf.subarray(0, BODY_KEPT).toString('utf8');
      const page = res.statusCode >= 400 ? parseDetailedError(body) : undefined;
      return {
        ...base,
        status: res.statusCode,
        substatus: page?.substatus ?? (res.statusCode < 400 ? 0 : undefined),
        errorCode: page?.errorCode,
        description: page?.description,
        headers: res.headers,
        body,
        bodyBytes: buf.length,
        doneAt: clock.now(),
      };
    } catch (err) {
      const e = err as { code?: string; message?: string };
      clock.heard(id);
      return { ...base, networkError: e.code ?? e.message ?? String(err), doneAt: clock.now() };
    }
  }

  close(): Promise<void> {
    return this.agent.destroy();
  }
}

function hasHeader(headers: Record<string, string> | undefined, name: string): boolean {
  return Object.keys(headers ?? {}).some((k) => k.toLowerCase() === name);
}

function flatten(headers: Record<string, string | string[] | undefined>): [string, string][] {
  return Object.entries(headers).flatMap(([k, v]) => (v === undefined ? [] : Array.isArray(v) ? v.map((x) => [k, x] as [string, string]) : [[k, v] as [string, string]]));
}
