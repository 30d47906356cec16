import { request, type IncomingMessage } from 'node:http';

/**
 * The lab's side of a member container's control port: JSON calls, and the stream of log
 * records. node:http rather than undici, so the lab's bookkeeping traffic is never counted as
 * traffic between lab parties (undici's diagnostics channels feed the lab clock).
 */
export class ControlClient {
  constructor(
    private readonly address: () => { host: string; port: number },
    private readonly token: string,
  ) {}

  async call<T = Record<string, unknown>>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await this.open(method, path, body);
    let text = '';
    for await (const chunk of res) text += chunk;
    if (res.statusCode !== 200) throw new Error(`member control ${method} ${path}: ${res.statusCode} ${text}`);
    return (text ? JSON.parse(text) : {}) as T;
  }

  /**
   * Calls `onMessage` for every line of the member's event stream, starting with its records
   * from the `after`-th one logged; `ended` resolves when the stream ends, `close` ends it from this side.
   */
  async stream(after: number, onMessage: (message: Record<string, unknown>) => void): Promise<{ ended: Promise<void>; close: () => void }> {
    const res = await this.open('GET', `/events?after=${after}`);
    if (res.statusCode !== 200) throw new Error(`member control /events: ${res.statusCode}`);
    let pending = '';
    const ended = new Promise<void>((resolve) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        pending += chunk;
        for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
          const line = pending.slice(0, nl);
          pending = pending.slice(nl + 1);
          if (line) onMessage(JSON.parse(line) as Record<string, unknown>);
        }
      });
      res.on('close', resolve);
      res.on('error', resolve);
    });
    return { ended, close: () => res.destroy() };
  }

  private open(method: string, path: string, body?: unknown): Promise<IncomingMessage> {
    const { host, port } = this.address();
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request({ host, port, method, path, agent: false, headers: { authorization: `Bearer ${this.token}`, ...(payload ? { 'content-type': 'application/json' } : {}) } }, resolve);
      req.on('error', reject);
      req.end(payload);
    });
  }
}
