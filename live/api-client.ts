import type { ClientResult } from '../lab/client.ts';
import type { RequestDetail } from './live-lab.ts';
import type { RequestSummary } from './request-ring.ts';
import type { LoadState } from './load-control.ts';
import type { Verdict } from './exercises/session.ts';

export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly body: { error?: string; issues?: { path: string; message: string }[] },
  ) {
    super(`${status}: ${body.error ?? ''}`);
  }
}

/**
 * The control API from TypeScript, as the dashboard uses it: tests flip faults on a running lab
 * with it, and so can scripts (`arr-lab serve --json` prints the URL and token it needs).
 */
export class LiveApiClient {
  constructor(
    readonly base: string,
    private readonly token: string,
  ) {}

  farm(): Promise<Record<string, any>> {
    return this.call('GET', '/api/farm');
  }

  setScript(member: string, script: unknown): Promise<{ ok: true }> {
    return this.call('PUT', `/api/members/${encodeURIComponent(member)}/script`, script);
  }

  action(action: Record<string, unknown>): Promise<{ ok: true }> {
    return this.call('POST', '/api/actions', action);
  }

  /** Sends one request through ARR; `id` is its row in the request list. */
  send(request: { path: string; method?: string; headers?: Record<string, string>; body?: string; as?: string }): Promise<{ id: number | undefined; client: ClientResult }> {
    return this.call('POST', '/api/send', request);
  }

  requests(since = 0, limit = 200): Promise<{ total: number; requests: RequestSummary[] }> {
    return this.call('GET', `/api/requests?since=${since}&limit=${limit}`);
  }

  request(id: number): Promise<RequestDetail> {
    return this.call('GET', `/api/requests/${id}`);
  }

  load(order: { action: 'start'; rate?: number; connections?: number; path?: string } | { action: 'stop' }): Promise<LoadState> {
    return this.call('POST', '/api/load', order);
  }

  answer(exercise: string, answer: { learner?: string; cause: string; fix: string; value?: number }): Promise<Verdict> {
    return this.call('POST', `/api/exercises/${encodeURIComponent(exercise)}/answer`, answer);
  }

  async call<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.base + path, {
      method,
      headers: { authorization: `Bearer ${this.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const parsed = (await res.json()) as T;
    if (!res.ok) throw new ApiCallError(res.status, parsed as ApiCallError['body']);
    return parsed;
  }
}
