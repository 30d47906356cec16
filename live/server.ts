import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { behaviours } from '../backends/behaviours/index.ts';
import { ApiError } from './api-error.ts';
import { bundleOf } from './bundle.ts';
import { EventStream } from './event-stream.ts';
import type { Exercises } from './exercises/session.ts';
import type { LiveLab } from './live-lab.ts';
import { LoadControl } from './load-control.ts';
import { openApiDocument } from './openapi.ts';
import { summarize } from './request-ring.ts';
import { sessionYaml } from './session-yaml.ts';
import { ASSETS } from './static-assets.ts';
import { PRESETS } from './teaching-farm.ts';

export interface ServeOptions {
  port?: number;
  /** Fixed tokens for tests; random otherwise. */
  token?: string;
  learnerToken?: string;
  exercises?: Exercises;
  /** SSE batch interval (wall ms). */
  batchMs?: number;
}

export interface LiveServer {
  url: string;
  /** The trainer's token: everything. */
  token: string;
  /** A learner's token: everything but the exercise answers and the trainer view. */
  learnerToken: string;
  dashboard: string;
  server: Server;
  stream: EventStream;
  load: LoadControl;
  close(): Promise<void>;
}

type Role = 'trainer' | 'learner';
type Handler = (req: IncomingMessage, res: ServerResponse, params: string[], url: URL, role: Role) => Promise<unknown>;

const MAX_BODY = 1024 * 1024;

/**
 * The dashboard's server and control API on 127.0.0.1. node:http is enough for a dozen routes
 * and SSE; the routes are a table of patterns. Every API call needs a token (Bearer header or
 * `?token=`); a request whose Host or Origin is not this server's own is refused before anything
 * else, so a page on another site cannot reach the API through DNS rebinding.
 */
export async function serveLiveLab(live: LiveLab, options: ServeOptions = {}): Promise<LiveServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const learnerToken = options.learnerToken ?? randomBytes(24).toString('base64url');
  const load = new LoadControl((path) => live.lab.url(path));
  const stream = new EventStream(
    {
      now: () => live.lab.clock.now(),
      farm: () => ({ ...live.farm(), load: load.status }),
      events: () => live.lab.controller.events(),
      total: () => live.ring.total,
      onRequest: (l) => live.ring.onRequest(l),
    },
    options.batchMs,
  );
  const exercises = options.exercises;

  const json = async (req: IncomingMessage): Promise<unknown> => {
    let size = 0;
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) throw new ApiError(413, `body larger than ${MAX_BODY} bytes`);
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    if (!text.trim()) return undefined;
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new ApiError(400, `(body): not JSON: ${(err as Error).message}`, [{ path: '(body)', message: 'not JSON' }]);
    }
  };

  const trainerOnly = (role: Role) => {
    if (role !== 'trainer') throw new ApiError(403, 'the trainer token is needed for this');
  };
  const exercisesOrNone = () => {
    if (!exercises) throw new ApiError(404, 'no exercises in this lab');
    return exercises;
  };

  const routes: [string, RegExp, Handler][] = [
    ['GET', /^\/api\/openapi\.json$/, async () => openApiDocument()],
    ['GET', /^\/api\/farm$/, async () => ({ ...live.farm(), load: load.status })],
    ['GET', /^\/api\/behaviours$/, async () => behaviours.map((b) => ({ name: b.name, summary: b.summary, options: z.toJSONSchema(b.options, { io: 'input', unrepresentable: 'any' }) }))],
    ['PUT', /^\/api\/members\/([^/]+)\/script$/, async (req, _res, [name]) => {
      await live.setScript(decodeURIComponent(name!), await json(req));
      return { ok: true };
    }],
    ['POST', /^\/api\/actions$/, async (req) => {
      await live.act(await json(req));
      return { ok: true, farm: live.farm() };
    }],
    ['POST', /^\/api\/send$/, async (req) => {
      const result = await live.send(await json(req));
      const entry = live.ring.byLabRequest(result.id);
      return { id: entry?.id, client: { ...result, body: undefined, headers: undefined } };
    }],
    ['GET', /^\/api\/requests$/, async (_req, _res, _p, url) => {
      const since = intParam(url, 'since', 0);
      const limit = Math.min(intParam(url, 'limit', 200), 2000);
      return { total: live.ring.total, requests: live.ring.since(since, limit).map(summarize) };
    }],
    ['GET', /^\/api\/requests\/(\d+)$/, async (_req, _res, [id]) => {
      const detail = await live.detail(Number(id));
      if (!detail) throw new ApiError(404, `no request ${id} in the ring (it keeps the last ${live.ring.capacity})`);
      return detail;
    }],
    ['GET', /^\/api\/events$/, async (_req, res) => {
      stream.attach(res);
      return STREAMING;
    }],
    ['GET', /^\/api\/load$/, async () => load.status],
    ['POST', /^\/api\/load$/, async (req) => load.apply(await json(req))],
    ['GET', /^\/api\/bundle$/, async (_req, res) => {
      for (const h of live.lab.hosts) h.flush();
      const zip = await bundleOf(live.options.root);
      res.writeHead(200, { 'content-type': 'application/zip', 'content-disposition': `attachment; filename="arr-lab-artifacts.zip"`, 'content-length': zip.length });
      res.end(zip);
      return STREAMING;
    }],
    ['GET', /^\/api\/scenario\.yaml$/, async (_req, res) => {
      const text = sessionYaml(live);
      res.writeHead(200, { 'content-type': 'application/yaml; charset=utf-8', 'content-disposition': 'attachment; filename="live-session.yaml"' });
      res.end(text);
      return STREAMING;
    }],
    ['GET', /^\/api\/presets$/, async () => PRESETS],
    ['GET', /^\/api\/exercises$/, async (_req, _res, _p, _u, role) => exercisesOrNone().list(role === 'trainer')],
    ['GET', /^\/api\/exercises\/([^/]+)\/hint$/, async (_req, _res, [name], url) => exercisesOrNone().hint(decodeURIComponent(name!), url.searchParams.get('learner') ?? 'anonymous', intParam(url, 'n', 0))],
    ['POST', /^\/api\/exercises\/([^/]+)\/start$/, async (_req, _res, [name]) => exercisesOrNone().start(decodeURIComponent(name!), live)],
    ['POST', /^\/api\/exercises\/([^/]+)\/answer$/, async (req, _res, [name]) => exercisesOrNone().answer(decodeURIComponent(name!), await json(req), live)],
    ['GET', /^\/api\/trainer$/, async (_req, _res, _p, _u, role) => {
      trainerOnly(role);
      return exercisesOrNone().trainerView();
    }],
  ];

  const server = createServer((req, res) => {
    void handle(req, res).catch((err) => {
      if (!res.headersSent) send(res, 500, { error: `internal error: ${(err as Error).message}` });
      else res.destroy();
    });
  });
  // The lab's port is only known once listening: the Host check reads it from here.
  let ownHosts: Set<string> = new Set();
  let ownOrigins: Set<string> = new Set();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!ownHosts.has((req.headers.host ?? '').toLowerCase())) return send(res, 403, { error: `refused: Host "${req.headers.host ?? ''}" is not this lab's (DNS rebinding guard)` });
    const origin = req.headers.origin;
    if (origin !== undefined && !ownOrigins.has(origin.toLowerCase())) return send(res, 403, { error: `refused: Origin "${origin}" is not this lab's` });
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    if (!url.pathname.startsWith('/api/')) return serveAsset(url.pathname, res);
    const role = roleOf(req, url);
    if (!role) return send(res, 401, { error: 'a token is needed: Authorization: Bearer <token> or ?token=<token>' }, { 'www-authenticate': 'Bearer' });
    const path = url.pathname;
    const candidates = routes.filter(([, pattern]) => pattern.test(path));
    if (candidates.length === 0) return send(res, 404, { error: `no route ${path}` });
    const route = candidates.find(([method]) => method === req.method);
    if (!route) return send(res, 405, { error: `${req.method} not allowed on ${path}` }, { allow: candidates.map(([m]) => m).join(', ') });
    const params = route[1].exec(path)!.slice(1);
    try {
      const out = await route[2](req, res, params, url, role);
      if (out !== STREAMING) send(res, 200, out);
    } catch (err) {
      if (err instanceof ApiError) return send(res, err.status, { error: err.message, ...(err.issues.length ? { issues: err.issues } : {}) });
      throw err;
    }
  }

  function roleOf(req: IncomingMessage, url: URL): Role | undefined {
    const header = req.headers.authorization;
    const given = header?.startsWith('Bearer ') ? header.slice(7).trim() : url.searchParams.get('token') ?? '';
    if (same(given, token)) return 'trainer';
    if (same(given, learnerToken)) return 'learner';
    return undefined;
  }

  async function serveAsset(path: string, res: ServerResponse): Promise<void> {
    const asset = ASSETS[path === '/' ? '/index.html' : path];
    if (!asset) return send(res, 404, { error: `no page ${path}` });
    res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
    res.end(await readFile(asset.file));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  ownHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  ownOrigins = new Set([...ownHosts].map((h) => `http://${h}`));
  const url = `http://127.0.0.1:${port}`;
  return {
    url, token, learnerToken, server, stream, load,
    dashboard: `${url}/?token=${token}`,
    async close() {
      await load.stop();
      stream.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const STREAMING = Symbol('streaming');

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(text);
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function intParam(url: URL, name: string, fallback: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new ApiError(400, `${name}: a non-negative integer`, [{ path: name, message: 'a non-negative integer' }]);
  return n;
}
