import { connect, type Socket } from 'node:net';

/**
 * Keeps an offline host's port its own while nothing listens on it, so connects are still refused
 * on the wire (the SYN is answered with a reset: WSAECONNREFUSED, 12029) yet no other program on
 * the machine is handed the port by the kernel in the meantime and answers in the host's place.
 *
 * The hold is a socket bound to the port and connected to itself (Linux completes a connect whose
 * source and destination are the same address and port as a simultaneous open). A bound port is
 * skipped when the kernel picks a free port for another program (listen on port 0, or the source
 * port of a connect); SYNs from anyone else match no listener and no connection, so they are reset.
 * A program that names the port explicitly can still bind it (Node sets SO_REUSEADDR, which the
 * kernel lets share a port with a socket that is not listening): that case is not covered.
 */
export function holdPort(address: string, port: number): Socket {
  const host = address === '0.0.0.0' ? '127.0.0.1' : address === '::' ? '::1' : address;
  // Bound before the next I/O turn, so an offline change needs no wait (the connect to itself
  // completes a turn later). Nothing is ever written on it, and an error can only end it: the port
  // is then as free as without a hold, the member refusing all the same.
  return connect({ host, port, localAddress: host, localPort: port }).on('error', () => {});
}
