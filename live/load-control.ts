import autocannon from 'autocannon';
import { z } from 'zod';
import { ApiError } from './api-error.ts';

/** `POST /api/load`: start (or retune) background load, or stop it. */
export const loadSchema = z.discriminatedUnion('action', [
  z
    .object({
      action: z.literal('start'),
      /** Requests per second over all connections. */
      rate: z.number().int().min(1).max(5000).default(50),
      connections: z.number().int().min(1).max(200).default(10),
      path: z.string().startsWith('/').default('/'),
      method: z.enum(['GET', 'HEAD', 'POST']).default('GET'),
    })
    .strict(),
  z.object({ action: z.literal('stop') }).strict(),
]);

export interface LoadState {
  running: boolean;
  rate: number;
  connections: number;
  path: string;
  method: string;
  /** Requests autocannon has written since this load started. */
  sent: number;
  startedAt: number | undefined;
}

/**
 * Background load on the lab's own ARR (the URL comes from the lab, never from the caller: only
 * the path is the caller's). autocannon drives it with a rate limit; changing the rate restarts
 * the run, since autocannon fixes its rate when a run starts. What each request met is read from
 * ARR's log like any other request, so the dashboard shows load and hand-sent requests alike.
 */
export class LoadControl {
  private instance: autocannon.Instance | undefined;
  private finished: Promise<void> = Promise.resolve();
  private state: LoadState = { running: false, rate: 0, connections: 0, path: '/', method: 'GET', sent: 0, startedAt: undefined };

  constructor(private readonly urlFor: (path: string) => string) {}

  get status(): LoadState {
    return { ...this.state };
  }

  async apply(raw: unknown): Promise<LoadState> {
    const parsed = loadSchema.safeParse(raw);
    if (!parsed.success) throw ApiError.invalid(parsed.error);
    const order = parsed.data;
    await this.stop();
    if (order.action === 'stop') return this.status;
    const url = this.urlFor(order.path);
    const host = new URL(url).hostname;
    if (host !== '127.0.0.1' && host !== 'localhost') throw new ApiError(400, `load only targets the lab's own ARR on loopback, not ${host}`);
    this.state = { running: true, rate: order.rate, connections: order.connections, path: order.path, method: order.method, sent: 0, startedAt: Date.now() };
    let done!: () => void;
    this.finished = new Promise<void>((resolve) => (done = resolve));
    const instance = autocannon({
      url,
      connections: order.connections,
      overallRate: order.rate,
      // Runs until stopped; a request that hangs past a nominal timeout is the lab's to log, not autocannon's to cut.
      duration: 24 * 3600,
      timeout: 600,
      method: order.method,
      headers: { 'user-agent': 'arr-lab-load/0.1' },
      setupClient: (client) => {
        (client as unknown as NodeJS.EventEmitter).on('request', () => this.state.sent++);
      },
    }, () => done());
    this.instance = instance;
    return this.status;
  }

  async stop(): Promise<void> {
    const instance = this.instance;
    this.instance = undefined;
    if (instance) {
      instance.stop();
      await this.finished;
    }
    this.state = { ...this.state, running: false };
  }
}
