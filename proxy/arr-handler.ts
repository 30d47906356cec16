import type { IdSource } from '../core/ids.ts';
import type { RequestHandler } from '../iis/host.ts';
import type { HostRequest } from '../iis/host-request.ts';
import { bool, num, str } from '../iis/freb/trace.ts';
import type { ProtocolConfig } from './farm-config.ts';
import { arrRequestHeaders, hasBody, headerValue } from './arr-request-headers.ts';
import type { HeaderPair } from '../iis/request-headers.ts';
import { CLASSIFICATION } from './failure-classification.ts';
import type { RoutingContext } from './balancers/balancer.ts';
import type { FarmRuntime, Route } from './farm.ts';
import type { HealthMonitor } from './health-monitor.ts';
import type { WinHttpTrace } from './winhttp-trace.ts';
import type { InFlight, ServerRuntime } from './server-state.ts';
import { forwardWithRetry, type RetryOptions, type SinkFor } from './connect-retry.ts';
import { serverVariable } from './server-variables.ts';
import type { Forwarder, ForwardSpec } from './forwarder.ts';
import { ResponseRelay, errorPage, type RelayOutcome } from './response-relay.ts';

/** What `handle` returns when ARR answered the request itself. */
const ANSWERED = Promise.resolve();
const NO_SERVER = CLASSIFICATION.find((r) => r.id === 'no-server')!;
/** Rows of trips that ended before the member could receive a request: failures while resolving or connecting. */
const UNREACHED = new Set(CLASSIFICATION.filter((r) => r.phases.length > 0 && r.phases.every((p) => p === 'resolve' || p === 'connect')).map((r) => r.id));

/**
 * ARR's request handler on the controller: route the request to a farm member, forward it with
 * ARR's headers, and turn what the forwarder saw into the member's response, a 502.3 or a 502.4.
 */
export class ArrHandler implements RequestHandler {
  /** Trips that failed before the member received anything (resolve or connect phase). */
  unreachedTrips = 0;

  constructor(
    readonly farm: FarmRuntime,
    private readonly forwarder: Forwarder,
    private readonly ids: IdSource,
    private readonly health?: HealthMonitor,
    private readonly winhttp?: WinHttpTrace,
  ) {}

  /** Not async: a held request keeps no frame of it, only the trip it waits on. */
  handle(request: HostRequest): Promise<unknown> {
    const { req } = request;
    const protocol = this.farm.config.protocol;
    const maxForwards = this.maxForwards(request);
    if (maxForwards === undefined) return ANSWERED;
    const route = this.farm.route(new RequestRouting(request), header(req.headers.cookie), req.headers.host as string | undefined);
    if (!route) {
      request.failure = NO_SERVER.id;
      req.resume();
      request.fail(errorPage(NO_SERVER));
      return ANSWERED;
    }
    const server = route.server;
    if (route.setCookie) request.res.appendHeader('Set-Cookie', route.setCookie);
    const logId = this.ids.guid();
    request.arrLogId = logId;
    // The key a support engineer follows from this line to the member's trace (docs/reference.md §5.2); no cache: always a miss.
    request.appendToLog(`${protocol.logCacheHitName}=0`, `${protocol.logGuidName}=${logId}`);
    const headers = arrRequestHeaders(req, { ip: request.peer.cIp, port: request.peer.cPort }, protocol, logId, maxForwards);
    server.started();
    traceRouting(request, route, headers, protocol);
    return forwardWithRetry(server, new Trips(this, request, headers));
  }

  /** One trip to one member (already counted as started), then its counters and live-traffic record. */
  attempt(request: HostRequest, server: ServerRuntime, headers: HeaderPair[], sink: SinkFor): Promise<RelayOutcome> {
    const { req } = request;
    const protocol = this.farm.config.protocol;
    const started = request.clock.now();
    const sent = protocol.preserveHostHeader ? headers : askingForMember(headers, server);
    // undici keeps its own copy of the head: a held trip keeps the count, not the headers.
    const bytesSent = requestBytes(req.method, req.url, sent);
    const spec: ForwardSpec = {
      address: server.address,
      port: server.config.httpPort,
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: sent,
      body: hasBody(req) ? req.body! : null,
      reset: !protocol.keepAlive,
      key: request.arrLogId,
    };
    const { trip, inFlight } = startTrip(this.forwarder, spec, sink);
    server.inFlight.add(inFlight);
    // The one closure a held trip keeps: it must capture nothing of the headers.
    return trip.then((outcome) => this.tripEnded(request, server, inFlight, bytesSent, started, outcome));
  }

  private tripEnded(request: HostRequest, server: ServerRuntime, inFlight: InFlight, bytesSent: number, started: number, outcome: RelayOutcome): RelayOutcome {
    const { req } = request;
    server.inFlight.delete(inFlight);
    const now = request.clock.now();
    // The client's own bytes broke the request (a malformed body), or its body stopped arriving
    // while the member waited for it: the member did nothing wrong [I].
    const clientFault = request.httpErr?.clientFault === true || (outcome.failure !== undefined && req.awaitingClient);
    server.finished({
      failed: !clientFault && (outcome.failure !== undefined || outcome.status >= 500),
      at: now,
      responseMs: now - started,
      bytesSent,
      bytesReceived: outcome.bytesReceived,
    });
    if (clientFault) return outcome;
    this.health?.recordLive(server, { status: outcome.status, connectionError: outcome.failure !== undefined });
    if (outcome.failure && outcome.observed) this.winhttp?.failed(now, outcome.failure, outcome.observed);
    if (outcome.failure && UNREACHED.has(outcome.failure.id)) this.unreachedTrips++;
    request.failure = outcome.failure?.id;
    return outcome;
  }

  /**
   * The Max-Forwards to send on, or undefined after answering 400.605 (ARR 3.0.1916's "Maximum
   * number of forwards") to a request that arrived with none left.
   */
  private maxForwards(request: HostRequest): number | undefined {
    const header = request.req.headers['max-forwards'];
    const incoming = Array.isArray(header) ? header[0] : header;
    if (incoming === undefined) return this.farm.config.protocol.maxForwards;
    const n = Number.parseInt(incoming, 10);
    if (!Number.isFinite(n)) return this.farm.config.protocol.maxForwards;
    if (n > 0) return n - 1;
    request.req.resume();
    request.fail({
      status: 400, substatus: 605, win32: 0, errorCode: 0, module: 'ApplicationRequestRouting',
      notification: 'ExecuteRequestHandler', handler: 'ApplicationRequestRoutingHandler', description: 'Maximum number of forwards',
    });
    return undefined;
  }
}

/** One client request's trips to members, as forwardWithRetry asks for them. */
class Trips implements RetryOptions {
  /** Read when the request is routed: a farm changed meanwhile does not change its trips. */
  readonly enabled: boolean;

  constructor(
    private readonly arr: ArrHandler,
    private readonly request: HostRequest,
    private readonly headers: HeaderPair[],
  ) {
    this.enabled = arr.farm.config.lab.retryOnConnectFailure;
  }

  next(tried: ReadonlySet<ServerRuntime>): ServerRuntime | undefined {
    return this.arr.farm.retryRoute(new RequestRouting(this.request), tried);
  }

  relay(done: (outcome: RelayOutcome) => void): ResponseRelay {
    return new ResponseRelay(this.request, this.arr.farm.config, done);
  }

  attempt(server: ServerRuntime, sink: SinkFor): Promise<RelayOutcome> {
    return this.arr.attempt(this.request, server, this.headers, sink);
  }
}

/**
 * Hands a trip to the forwarder. A function of its own: a closure made where the headers and the
 * sink are in scope would keep them (and everything the sink holds) for as long as the trip waits.
 */
function startTrip(forwarder: Forwarder, spec: ForwardSpec, sink: SinkFor): { trip: Promise<RelayOutcome>; inFlight: InFlight } {
  let inFlight: InFlight | undefined;
  const trip = new Promise<RelayOutcome>((resolve) => {
    inFlight = forwarder.forward(spec, sink(resolve));
  });
  return { trip, inFlight: inFlight! };
}

/** preserveHostHeader="false": the member is asked for itself, not for the client's site. */
function askingForMember(headers: HeaderPair[], server: ServerRuntime): HeaderPair[] {
  const memberHost = server.config.httpPort === 80 ? server.address : `${server.address}:${server.config.httpPort}`;
  return headers.map((pair): HeaderPair => (pair[0] === 'Host' ? ['Host', memberHost] : pair));
}

function requestBytes(method: string, url: string, headers: HeaderPair[]): number {
  // `${method} ${url} HTTP/1.1\r\n` and the blank line.
  let n = method.length + url.length + 12 + 2;
  for (const [k, v] of headers) n += k.length + 4 + v.length;
  return n + Number(headerValue(headers, 'content-length') ?? 0);
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join('; ') : value;
}

/** What a balancer reads of a request: one object, its query parsed only if asked for. */
class RequestRouting implements RoutingContext {
  readonly now: number;

  constructor(private readonly request: HostRequest) {
    this.now = request.clock.now();
  }

  variable(name: string): string | undefined {
    return serverVariable(this.request, name);
  }

  get query(): URLSearchParams {
    const url = this.request.req.url ?? '/';
    const q = url.indexOf('?');
    return new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  }
}

/**
 * ARR's trace events for a routed request (docs/reference.md §7.4): ARR_SERVER_ROUTED with the server's
 * counters at routing time, then one GENERAL_SET_REQUEST_HEADER per header ARR sets, in ARR's
 * order, empty values included.
 */
function traceRouting(request: HostRequest, route: Route, headers: HeaderPair[], protocol: ProtocolConfig): void {
  const { server } = route;
  const c = { ...server.counters };
  const state = server.state;
  const at = request.clock.now();
  // The values are read now (no closure over the headers): a held request keeps them for the trace, not the headers.
  const maxForwards = headerValue(headers, 'max-forwards') ?? '';
  const forwardedFor = protocol.xForwardedForHeaderName ? (headerValue(headers, protocol.xForwardedForHeaderName) ?? '') : undefined;
  const logGuid = headerValue(headers, protocol.logGuidName) ?? '';
  request.addTraceBatch(() => {
    const set: [string, string][] = [
      ['Max-Forwards', maxForwards],
      ...(forwardedFor !== undefined ? [[protocol.xForwardedForHeaderName, forwardedFor] as [string, string]] : []),
      [protocol.sslHeaderName, ''],
      [protocol.clientCertHeaderName, ''],
      [protocol.logGuidName, logGuid],
      ['Connection', ''],
    ];
    return [
      {
        name: 'ARR_SERVER_ROUTED', area: 'RequestRouting', level: 'Informational', at, fields: [
          str('RoutingReason', route.reason), str('Server', server.address), str('State', state),
          num('TotalRequests', c.totalRequests), num('FailedRequests', c.failedRequests), num('CurrentRequests', c.currentRequests),
          num('BytesSent', c.bytesSent), num('BytesReceived', c.bytesReceived), num('ResponseTime', Math.round(c.responseTime)),
        ],
      },
      ...set.map(([name, v]) => ({
        name: 'GENERAL_SET_REQUEST_HEADER', area: 'RequestNotifications' as const, level: 'Verbose' as const, at,
        fields: [str('HeaderName', name), str('HeaderValue', v), bool('Replace', true)],
      })),
    ];
  });
}
