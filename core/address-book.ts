import type { Socket } from 'node:net';

/**
 * Modelled addresses for deterministic runs. In a normal run every artifact carries the real
 * loopback addresses and ports; with an address book each host and client has a modelled IP, hosts
 * listen on port 80, and each outbound connection gets the next ephemeral port of its owner, so
 * logs, headers and traces come out the same on every run.
 *
 * A connection is known by its whole address pair, not by its source port: Linux gives one local
 * port to several open connections when they go to different servers, and reuses a port as soon
 * as its connection is gone. An entry lives while either end of its connection is open, so the
 * host still finds its peer while it logs a connection the client has just dropped.
 */
export interface ModelledEndpoint {
  ip: string;
  port: number;
}

const FIRST_EPHEMERAL = 49152;

interface Outbound {
  /** Unset until the connecting side is told of (the host may accept the connection first). */
  endpoint?: ModelledEndpoint;
  /** Ends of the connection still open that the book was told of. */
  open: number;
}

/** Client address, then server address, as the connecting side sees them. */
function pairKey(client: string | undefined, clientPort: number | undefined, server: string | undefined, serverPort: number | undefined): string {
  return `${client}:${clientPort}>${server}:${serverPort}`;
}

export class AddressBook {
  private readonly listeners = new Map<number, ModelledEndpoint>();
  private readonly outbound = new Map<string, Outbound>();
  private readonly nextPort = new Map<string, number>();

  /** A host listening on real `port` is modelled as `ip:80` (or the given port). */
  listening(realPort: number, ip: string, port = 80): void {
    this.listeners.set(realPort, { ip, port });
  }

  /** An outbound connection, owned by the party modelled as `ip`, has connected. */
  connected(socket: Socket, ip: string): void {
    const port = this.nextPort.get(ip) ?? FIRST_EPHEMERAL;
    this.nextPort.set(ip, port + 1);
    this.hold(pairKey(socket.localAddress, socket.localPort, socket.remoteAddress, socket.remotePort), socket).endpoint = { ip, port };
  }

  /** A host accepted `socket`: its peer stays known until both ends have closed. */
  accepted(socket: Socket): void {
    this.hold(pairKey(socket.remoteAddress, socket.remotePort, socket.localAddress, socket.localPort), socket);
  }

  /** How a host sees a connection it accepted. */
  peer(socket: Socket): { local: ModelledEndpoint | undefined; remote: ModelledEndpoint | undefined } {
    const key = pairKey(socket.remoteAddress, socket.remotePort, socket.localAddress, socket.localPort);
    return { local: this.listeners.get(socket.localPort ?? 0), remote: this.outbound.get(key)?.endpoint };
  }

  private hold(key: string, socket: Socket): Outbound {
    const entry = this.outbound.get(key) ?? { open: 0 };
    // A connection already gone has no peer to find, and no 'close' to come that would free its entry.
    if (socket.destroyed) return entry;
    this.outbound.set(key, entry);
    entry.open++;
    socket.once('close', () => {
      if (--entry.open === 0 && this.outbound.get(key) === entry) this.outbound.delete(key);
    });
    return entry;
  }
}
