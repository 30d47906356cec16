import { labError } from './failure.ts';

/** Where a farm server address actually listens in the lab. */
export interface Endpoint {
  host: string;
  port: number;
}

/**
 * The proxy's name service: turns a farm server address (a host name, as in applicationHost.config)
 * and its httpPort into an endpoint. An unknown name fails the way DNS does (ENOTFOUND). `signal`
 * aborts a lookup the caller gave up on (WinHTTP's resolve timeout).
 */
export interface MemberDirectory {
  locate(address: string, port: number, signal?: AbortSignal): Promise<Endpoint>;
}

/** Member names and their endpoints, as the hosts registered them: an instant, certain answer. */
export class StaticDirectory implements MemberDirectory {
  private readonly entries = new Map<string, Endpoint>();

  set(address: string, endpoint: Endpoint): void {
    this.entries.set(address.toLowerCase(), endpoint);
  }

  async locate(address: string): Promise<Endpoint> {
    const endpoint = this.entries.get(address.toLowerCase());
    if (!endpoint) throw labError('not-found', `getaddrinfo ENOTFOUND ${address}`, 'ENOTFOUND');
    return endpoint;
  }
}
