import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiCallError } from '../live/api-client.ts';
import { startServedLab, type RunningLab } from './live-helper.ts';

let lab: RunningLab;
beforeAll(async () => {
  lab = await startServedLab();
});
afterAll(async () => {
  await lab?.stop();
});

/** A raw request, so Host and Origin can be what a rebinding page would send. */
function raw(path: string, headers: Record<string, string>, method = 'GET', body?: string): Promise<{ status: number; body: string }> {
  const url = new URL(lab.server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: url.hostname, port: url.port, path, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function rejection(p: Promise<unknown>): Promise<ApiCallError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ApiCallError);
  return err as ApiCallError;
}

describe('control API: access', () => {
  it('answers 401 without the token or with a wrong one, 200 with it as Bearer or ?token=', async () => {
    const host = new URL(lab.server.url).host;
    expect((await raw('/api/farm', { host })).status).toBe(401);
    expect((await raw('/api/farm', { host, authorization: 'Bearer nope' })).status).toBe(401);
    expect((await raw(`/api/farm?token=${lab.server.token.slice(0, -1)}`, { host })).status).toBe(401);
    expect((await raw('/api/farm', { host, authorization: `Bearer ${lab.server.token}` })).status).toBe(200);
    expect((await raw(`/api/farm?token=${lab.server.token}`, { host })).status).toBe(200);
  });

  it('refuses a request whose Host or Origin is not the lab\'s own, token or not (DNS rebinding)', async () => {
    const port = new URL(lab.server.url).port;
    const auth = { authorization: `Bearer ${lab.server.token}` };
    const rebound = await raw('/api/farm', { ...auth, host: `evil.example:${port}` });
    expect(rebound.status).toBe(403);
    expect(rebound.body).toContain('DNS rebinding');
    expect((await raw('/', { host: `evil.example:${port}` })).status).toBe(403);
    expect((await raw('/api/farm', { ...auth, host: `127.0.0.1:${port}`, origin: 'http://evil.example' })).status).toBe(403);
    expect((await raw('/api/farm', { ...auth, host: `localhost:${port}`, origin: `http://localhost:${port}` })).status).toBe(200);
  });

  it('keeps the answers and the trainer view from a learner token', async () => {
    const host = new URL(lab.server.url).host;
    const learner = { host, authorization: `Bearer ${lab.server.learnerToken}` };
    expect((await raw('/api/trainer', learner)).status).toBe(403);
    const list = JSON.parse((await raw('/api/exercises', learner)).body);
    expect(list.exercises.length).toBeGreaterThanOrEqual(8);
    expect(list.exercises[0].cause).toBeUndefined();
    const trainer = JSON.parse((await raw('/api/exercises', { host, authorization: `Bearer ${lab.server.token}` })).body);
    expect(trainer.exercises[0].cause).toBeDefined();
  });

  it('serves its OpenAPI document with the routes the dashboard uses', async () => {
    const doc = await lab.api.call('GET', '/api/openapi.json');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/farm', '/api/members/{name}/script', '/api/actions', '/api/requests', '/api/requests/{id}', '/api/events', '/api/load']));
    expect(doc.components.schemas.Action.properties.timeout).toBeDefined();
  });
});

describe('control API: bad input', () => {
  it('answers 400 with the field path for a bad script, and the lab keeps running', async () => {
    const err = await rejection(lab.api.setScript('member1', [{ route: '/x/', do: [{ sleep: 'soon' }] }]));
    expect(err.status).toBe(400);
    expect(err.body.issues?.[0]?.path).toBe('script.0.do.0.sleep');
    const bad = await rejection(lab.api.action({ timeout: 'later' }));
    expect(bad.status).toBe(400);
    expect(bad.body.issues?.[0]?.path).toBe('timeout');
    const notJson = await raw('/api/actions', { host: new URL(lab.server.url).host, authorization: `Bearer ${lab.server.token}`, 'content-type': 'application/json' }, 'POST', '{nope');
    expect(notJson.status).toBe(400);
    expect((await lab.api.send({ path: '/' })).client.status).toBe(200);
  });

  it('answers 404 for an unknown member or server, and changes nothing', async () => {
    expect((await rejection(lab.api.setScript('ghost', []))).status).toBe(404);
    expect((await rejection(lab.api.action({ online: { ghost: false } }))).status).toBe(404);
    expect((await rejection(lab.api.action({ availability: { ghost: 'Drain' } }))).status).toBe(404);
    expect((await rejection(lab.api.request(999_999))).status).toBe(404);
    const farm = await lab.api.farm();
    expect(farm.servers.every((s: { availability: string }) => s.availability === 'Available')).toBe(true);
  });
});

describe('control API: faults switched live, seen on the wire', () => {
  it('a slow page switched on gives 502.3 0x80072ee2; the request\'s artifacts and explanation say why; a live time-out change fixes it', async () => {
    for (const m of ['member1', 'member2', 'member3']) await lab.api.setScript(m, [{ route: '/time/', do: [{ sleep: '45s' }, { respond: { status: 200 } }] }]);
    const { id, client } = await lab.api.send({ path: '/time/' });
    expect(client.status).toBe(502);
    expect(client.substatus).toBe(3);
    expect(client.errorCode).toBe('0x80072ee2');
    await lab.live.lab.settle();
    const detail = await lab.api.request(id!);
    const arrLine = detail.artifacts.logs.find((l) => l.host === 'arr')!;
    expect(arrLine.kind).toBe('W3SVC');
    expect(arrLine.text).toMatch(/ 502 3 12002 /);
    const memberLine = detail.artifacts.logs.find((l) => l.host.startsWith('member'))!;
    expect(memberLine.text).toMatch(/ 200 0 64 /);
    expect(detail.explanation.row?.id).toBe('receive-timeout');
    expect(detail.explanation.row?.errorCode).toBe('0x80072ee2');
    expect(detail.explanation.decode?.lines.join('\n')).toContain('12002');
    expect(detail.explanation.fix).toMatch(/Time-out/);
    expect(detail.timeline.timer?.ms).toBe(30_000);
    expect(detail.timeline.lanes.map((l) => l.party)).toEqual(['client (dashboard)', 'ARR', memberLine.host]);
    expect(detail.artifacts.errorPage).toContain('0x80072ee2');
    expect(detail.artifacts.winhttp.join('\n')).toContain('ERROR_WINHTTP_TIMEOUT');
    expect(detail.artifacts.freb[0]?.events.map((e) => e.name)).toContain('ARR_SERVER_ROUTED');

    await lab.api.action({ timeout: '60s' });
    expect((await lab.api.farm()).settings.protocol.timeout).toBe(60_000);
    const fixed = await lab.api.send({ path: '/time/' });
    expect(fixed.client.status).toBe(200);
    await lab.api.action({ timeout: '30s' });
    for (const m of ['member1', 'member2', 'member3']) await lab.api.setScript(m, []);
  });

  it('all servers made unavailable: 502.4 and a no-server explanation; the request list has the rows in order', async () => {
    const before = (await lab.api.requests()).total;
    await lab.api.action({ availability: { member1: 'Unavailable', member2: 'Unavailable', member3: 'Unavailable' } });
    const { id, client } = await lab.api.send({ path: '/' });
    expect(`${client.status}.${client.substatus}`).toBe('502.4');
    expect((await lab.api.request(id!)).explanation.row?.id).toBe('no-server');
    await lab.api.action({ availability: { member1: 'Available', member2: 'Available', member3: 'Available' } });
    const list = await lab.api.requests(before);
    expect(list.requests.map((r) => `${r.status}.${r.substatus}`)).toEqual(['502.4']);
  });

  it('streams batches over SSE with the farm and the window\'s outcomes', async () => {
    const controller = new AbortController();
    const res = await fetch(`${lab.server.url}/api/events?token=${lab.server.token}`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    await lab.api.send({ path: '/' });
    let text = '';
    while (!text.includes('"200"')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const batch = JSON.parse(text.split('\n').filter((l) => l.startsWith('data: ')).at(-1)!.slice(6));
    expect(batch.farm.servers).toHaveLength(3);
    expect(batch.outcomes['200']).toBeGreaterThanOrEqual(1);
  });

  it('background load runs on the lab\'s own ARR at the asked rate and stops', async () => {
    const started = await lab.api.load({ action: 'start', rate: 100, connections: 4 });
    expect(started.running).toBe(true);
    const before = (await lab.api.requests()).total;
    while ((await lab.api.requests()).total < before + 20) await new Promise((r) => setTimeout(r, 50));
    const stopped = await lab.api.load({ action: 'stop' });
    expect(stopped.running).toBe(false);
    expect(stopped.sent).toBeGreaterThanOrEqual(20);
    const bad = await rejection(lab.api.load({ action: 'start', rate: 0 }));
    expect(bad.body.issues?.[0]?.path).toBe('rate');
  });

  it('saves the session as a scenario the schema accepts', async () => {
    const res = await fetch(`${lab.server.url}/api/scenario.yaml?token=${lab.server.token}`);
    const text = await res.text();
    const { parseYamlScenario } = await import('../lab/scenario/load.ts');
    const loaded = parseYamlScenario(text, 'live-session.yaml');
    expect(loaded.scenario.requests.some((s) => s.kind === 'action' && s.action.key === 'timeout' && s.action.value === 60_000)).toBe(true);
  });

  it('runs an exercise through the API: start shows the symptom, a wrong cause is refused, the right answer fixes the live lab too', async () => {
    const started = await lab.api.call('POST', '/api/exercises/all-members-down/start');
    expect(started.outcomes).toEqual(['502.4 0x00000000', '502.4 0x00000000']);
    expect((await lab.api.call('GET', '/api/exercises/all-members-down/hint?n=0&learner=bob')).hint).toContain('0x00000000');
    const wrong = await lab.api.answer('all-members-down', { learner: 'bob', cause: 'host-down', fix: 'make-available' });
    expect(wrong).toMatchObject({ correct: false, causeCorrect: false, fixWorked: true });
    const right = await lab.api.answer('all-members-down', { learner: 'bob', cause: 'no-server', fix: 'make-available' });
    expect(right).toMatchObject({ correct: true, replay: ['200', '200'] });
    expect((await lab.api.farm()).servers.every((s: { availability: string }) => s.availability === 'Available')).toBe(true);
    const trainer = await lab.api.call('GET', '/api/trainer');
    const row = trainer.exercises.find((e: { name: string }) => e.name === 'all-members-down');
    expect(row.learners).toEqual([expect.objectContaining({ learner: 'bob', attempts: 2, solved: true, hints: 1 })]);
    const bad = await rejection(lab.api.answer('all-members-down', { cause: 'no-server', fix: 'pray' }));
    expect(bad.body.issues?.[0]?.path).toBe('fix');
    expect((await rejection(lab.api.answer('no-such-exercise', { cause: 'no-server', fix: 'make-available' }))).status).toBe(404);
  });
});
