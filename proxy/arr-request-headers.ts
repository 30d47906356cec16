import type { IncomingRequest } from '../iis/http-sys/incoming-request.ts';
import { inIisOrder, type HeaderPair } from '../iis/request-headers.ts';
import type { ProtocolConfig } from './farm-config.ts';

/** Hop-by-hop headers: never forwarded; WinHTTP writes its own Connection header. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

/** http.sys has answered an Expect: 100-continue already; the member gets the body, not the expectation [I]. */
const DROPPED = new Set([...HOP_BY_HOP, 'expect']);

/**
 * The headers ARR sets itself (lower case), per protocol configuration: the client's copies are
 * replaced; and the name the incoming X-Forwarded-For is read under.
 */
const ownByProtocol = new WeakMap<ProtocolConfig, { own: Set<string>; xffLower: string }>();
function ownHeaders(protocol: ProtocolConfig): { own: Set<string>; xffLower: string } {
  let own = ownByProtocol.get(protocol);
  if (!own) {
    own = {
      own: new Set(['max-forwards', 'x-original-url', ...[protocol.sslHeaderName, protocol.clientCertHeaderName, protocol.logGuidName, protocol.xForwardedForHeaderName].map((h) => h.toLowerCase())]),
      xffLower: protocol.xForwardedForHeaderName.toLowerCase(),
    };
    ownByProtocol.set(protocol, own);
  }
  return own;
}

/** What ARR reads of the client's request to build the member's. */
export type ClientRequest = Pick<IncomingRequest, 'url' | 'headers' | 'rawHeaders'>;

export interface ClientPeer {
  ip: string;
  port: number;
}

/**
 * The request headers ARR hands WinHTTP for a member (docs/reference.md §7.4-7.5), as IIS holds them:
 * the known headers first under their canonical names, then the others in arrival order, with
 * ARR's own at the end in the order they are set (URL Rewrite's X-Original-URL, then
 * X-Forwarded-For with the client port by default, then X-ARR-LOG-ID). X-ARR-SSL and
 * X-ARR-ClientCert are empty on plain HTTP, so not sent; the client's Connection header is
 * cleared and WinHTTP writes its own.
 *
 * Inferred where the reference marks [U]: an incoming X-Forwarded-For is appended to, and an
 * incoming Max-Forwards is decremented.
 */
export function arrRequestHeaders(
  req: ClientRequest,
  client: ClientPeer,
  protocol: ProtocolConfig,
  logId: string,
  maxForwards: number,
): HeaderPair[] {
  const named = req.headers.connection;
  // Headers the client's Connection header names are hop-by-hop too.
  const listed = named === undefined ? undefined : new Set(String(named).split(',').map((token) => token.trim().toLowerCase()));
  const xff = protocol.xForwardedForHeaderName;
  const { own, xffLower } = ownHeaders(protocol);
  const out: HeaderPair[] = [];
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    if (!DROPPED.has(lower) && !own.has(lower) && !listed?.has(lower)) out.push([raw[i]!, raw[i + 1]!]);
  }
  out.push(['X-Original-URL', req.url ?? '/'], ['Max-Forwards', String(maxForwards)]);
  if (xff) {
    const self = protocol.includePortInXForwardedFor ? `${client.ip}:${client.port}` : client.ip;
    const incoming = req.headers[xffLower];
    out.push([xff, incoming ? `${Array.isArray(incoming) ? incoming.join(', ') : incoming}, ${self}` : self]);
  }
  out.push([protocol.logGuidName, logId]);
  return inIisOrder(out);
}

/** The value of a header in a list (names compare case-insensitively), or undefined. */
export function headerValue(headers: readonly HeaderPair[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find(([n]) => n.length === lower.length && n.toLowerCase() === lower)?.[1];
}

/** Whether the client request carries a body to stream to the member. */
export function hasBody(req: Pick<IncomingRequest, 'headers'>): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
