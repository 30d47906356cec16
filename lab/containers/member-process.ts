import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { LabClock } from '../../core/clock.ts';
import { randomIds } from '../../core/ids.ts';
import { IisHost, identityFor } from '../../iis/host.ts';
import { applyHttpSysChange, type HttpSysChange, type HttpSysSettings } from '../../iis/http-sys/settings.ts';
import { APP_POOL_STATES } from '../../iis/http-sys/app-pool-state.ts';
import { z } from 'zod';
import type { NonPagedPoolSettings } from '../../iis/http-sys/nonpaged-pool.ts';
import type { LoggedRequest } from '../../iis/log-records.ts';
import { MemberHandler } from '../../backends/member-handler.ts';
import { scriptSchema } from '../../backends/script.ts';
import { MEMBER_CONFIG_ENV, READY_LINE, memberConfigSchema } from './member-config.ts';

/**
 * A farm member as its own process, the way it runs inside a container: the project's IIS host
 * (http.sys front, pipeline, W3C / HTTPERR / FREB writers) with the member handler, on the
 * container's address, plus a control port the lab drives it through (token required). Log
 * records stream to the lab as they are written, so the lab checks them as it checks an
 * in-process member's.
 */
const config = memberConfigSchema.parse(JSON.parse(process.env[MEMBER_CONFIG_ENV] ?? 'null'));
const clock = new LabClock({ scale: config.timeScale, startAt: config.nominalAt + (Date.now() - config.wallAt) });
// The one parse of the script in this process: the lab sends it as written (lab/containers/container-member.ts).
const handler = new MemberHandler(scriptSchema.parse(config.script ?? []));
const streams = new Set<ServerResponse>();
/** Tells a restarted member process from the one before it. */
const INCARNATION = `${process.pid}-${Date.now()}`;
const send = (message: object) => {
  const line = `${JSON.stringify(message)}\n`;
  for (const s of streams) s.write(line);
};
const host = new IisHost({
  identity: identityFor(config.name, config.windows),
  root: config.root,
  clock,
  ids: randomIds,
  freb: config.freb,
  bindAddress: '0.0.0.0',
  port: config.port,
  // Parsed by the lab already (a timeSpan must not be parsed twice).
  httpSys: config.httpSys as HttpSysSettings | undefined,
  nonPagedPool: config.nonPagedPool as NonPagedPoolSettings | undefined,
  handler: {
    handle(request) {
      send({ t: 'accepted', accepted: host.accepted });
      return handler.handle(request);
    },
  },
});
// A container can be stopped or killed at any moment: every line is on disk as soon as it is logged.
host.logs.onRecord((record: LoggedRequest) => {
  host.logs.flush();
  send({ t: 'record', record, accepted: host.accepted, logged: host.logs.logged });
});

const counts = () => ({ accepted: host.accepted, logged: host.logs.logged, connectionEvents: Object.fromEntries(host.logs.connectionEvents) });

async function body(req: IncomingMessage): Promise<Record<string, unknown>> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

const routes: Record<string, (input: Record<string, unknown>) => Promise<unknown> | unknown> = {
  'GET /idle': async () => {
    await host.idle();
    return counts();
  },
  'POST /script': (input) => handler.setScript(scriptSchema.parse(input.script)),
  'POST /offline': (input) => (input.offline ? host.goOffline() : host.goOnline()),
  'POST /crash-worker': () => ({ abandoned: host.crashWorker() }),
  // Parsed by the lab, as the settings at start are.
  'POST /http-sys': (input) => {
    host.httpSys = applyHttpSysChange(host.httpSys, input as HttpSysChange);
  },
  'POST /leak': (input) => host.pool.setLeak(Number(input.mb), clock.now()),
  'POST /app-pool': (input) => {
    host.front.appPool = z.enum(APP_POOL_STATES).parse(input.state);
  },
  'POST /stop': async () => {
    await host.stop();
    setImmediate(() => process.exit(0));
    return counts();
  },
};

const control = createServer(async (req, res) => {
  if (req.headers.authorization !== `Bearer ${config.token}`) {
    res.writeHead(401).end();
    return;
  }
  const events = /^\/events\?after=(\d+)$/.exec(req.url ?? '');
  if (req.method === 'GET' && events) {
    // A lab that lost its stream (the container was cut off) asks again for what it missed.
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.write(`${JSON.stringify({ t: 'hello', incarnation: INCARNATION, ...counts() })}\n`);
    for (const record of host.logs.records.slice(Number(events[1]))) res.write(`${JSON.stringify({ t: 'record', record, ...counts() })}\n`);
    streams.add(res);
    res.on('close', () => streams.delete(res));
    return;
  }
  const route = routes[`${req.method} ${req.url}`];
  if (!route) {
    res.writeHead(404).end();
    return;
  }
  try {
    const out = await route(await body(req));
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out ?? {}));
  } catch (err) {
    res.writeHead(400, { 'content-type': 'text/plain' }).end(String((err as Error).message ?? err));
  }
});

// The lab reaches the control port on the run's own network only; the token keeps others out.
control.listen(config.controlPort, '0.0.0.0', async () => {
  if (config.offline) await host.reservePort();
  else await host.goOnline();
  console.log(`${READY_LINE} ${config.name} pid ${process.pid}`);
});

// Docker's stop sends SIGTERM to PID 1, which passes it on: flush and go.
process.on('SIGTERM', () => {
  void host.stop().finally(() => process.exit(0));
});
