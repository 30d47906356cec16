import { createHash } from 'node:crypto';
import { Headers, getCookies, setCookie } from 'undici';
import type { AffinityConfig } from './farm-config.ts';
import type { ServerRuntime } from './server-state.ts';

/**
 * Client affinity by cookie (`affinity/@useCookie`, docs/reference.md §1.7): the first request is load
 * balanced and answered with a cookie naming the server; later requests carrying it go to that
 * server while it can take them. The cookie's value and attributes on on-premises ARR are not
 * documented: the lab uses a SHA-256 of the server address (hex) and `Path=/` with the request's
 * host as `Domain`.
 */
export class CookieAffinity {
  private readonly byToken = new Map<string, ServerRuntime>();

  constructor(
    private readonly config: AffinityConfig,
    servers: readonly ServerRuntime[],
  ) {
    for (const s of servers) this.byToken.set(tokenOf(s.address), s);
  }

  /** The server the request's affinity cookie names, if it names one of this farm's. */
  bound(cookieHeader: string | undefined): ServerRuntime | undefined {
    if (!cookieHeader) return undefined;
    const token = getCookies(new Headers({ cookie: cookieHeader }))[this.config.cookieName];
    return token === undefined ? undefined : this.byToken.get(token);
  }

  /** The Set-Cookie header value binding a client to `server`. */
  cookieFor(server: ServerRuntime, host: string | undefined): string {
    const headers = new Headers();
    setCookie(headers, { name: this.config.cookieName, value: tokenOf(server.address), path: '/', domain: host?.split(':')[0] || undefined });
    return headers.get('set-cookie')!;
  }
}

function tokenOf(address: string): string {
  return createHash('sha256').update(address.toLowerCase()).digest('hex');
}
