import type { IncomingMessage } from 'node:http';
import type { ProtocolConfig } from './farm-config.ts';

/** Hop-by-hop headers: never forwarded; WinHTTP writes its own Connection header. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

export interface ClientPeer {
  ip: string;
  port: number;
}

/**
 * The request headers ARR sends to a member (reference §7.4-7.5), in the order ARR sets them:
 * Max-Forwards, X-Forwarded-For (with the client port by default), X-ARR-SSL and X-ARR-ClientCert
 * (empty on plain HTTP, so not sent), X-ARR-LOG-ID, and the Connection header cleared; URL
 * Rewrite adds X-Original-URL.
 *
 * Known difference: WinHTTP sends `Content-Length: 0` on a bodyless GET (reference §7.5); undici
 * follows RFC 9110 and never sends it for methods without a payload, so members do not see it.
 *
 * Inferred where the reference marks [U]: an incoming X-Forwarded-For is appended to, and an
 * incoming Max-Forwards is decremented.
 */
export function arrRequestHeaders(
  req: IncomingMessage,
  client: ClientPeer,
  protocol: ProtocolConfig,
  logId: string,
  maxForwards: number,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  const dropped = new Set(HOP_BY_HOP);
  for (const token of String(req.headers.connection ?? '').split(',')) dropped.add(token.trim().toLowerCase());
  const xff = protocol.xForwardedForHeaderName.toLowerCase();
  const own = new Set(['max-forwards', protocol.sslHeaderName.toLowerCase(), protocol.clientCertHeaderName.toLowerCase(), protocol.logGuidName.toLowerCase(), 'x-original-url']);
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (dropped.has(name) || own.has(name) || (xff && name === xff)) continue;
    const value = raw[i + 1]!;
    const prior = out[name];
    out[name] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  out['max-forwards'] = String(maxForwards);
  if (xff) {
    const self = protocol.includePortInXForwardedFor ? `${client.ip}:${client.port}` : client.ip;
    const incoming = req.headers[xff];
    out[xff] = incoming ? `${Array.isArray(incoming) ? incoming.join(', ') : incoming}, ${self}` : self;
  }
  out[protocol.logGuidName.toLowerCase()] = logId;
  out['x-original-url'] = req.url ?? '/';
  return out;
}

/** Whether the client request carries a body to stream to the member. */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}
