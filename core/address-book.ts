/**
 * Modelled addresses for deterministic runs. In a normal run every artifact carries the real
 * loopback addresses and ports; with an address book each host and client has a modelled IP, hosts
 * listen on port 80, and each outbound connection gets the next ephemeral port of its owner, so
 * logs, headers and traces come out the same on every run.
 */
export interface ModelledEndpoint {
  ip: string;
  port: number;
}

const FIRST_EPHEMERAL = 49152;

export class AddressBook {
  private readonly listeners = new Map<number, ModelledEndpoint>();
  private readonly outbound = new Map<number, ModelledEndpoint>();
  private readonly nextPort = new Map<string, number>();

  /** A host listening on real `port` is modelled as `ip:80` (or the given port). */
  listening(realPort: number, ip: string, port = 80): void {
    this.listeners.set(realPort, { ip, port });
  }

  /** An outbound connection from real local port `realPort`, owned by the party modelled as `ip`. */
  connected(realPort: number, ip: string): void {
    const port = this.nextPort.get(ip) ?? FIRST_EPHEMERAL;
    this.nextPort.set(ip, port + 1);
    this.outbound.set(realPort, { ip, port });
  }

  /** How a host at real port `localPort` sees a connection from real port `remotePort`. */
  peer(localPort: number, remotePort: number): { local: ModelledEndpoint | undefined; remote: ModelledEndpoint | undefined } {
    return { local: this.listeners.get(localPort), remote: this.outbound.get(remotePort) };
  }
}
