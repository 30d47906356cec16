import { connect, type Socket } from 'node:net';
import type { Lab } from './lab.ts';

/**
 * A raw client connection to the lab's controller (loopback only), for clients that misbehave
 * below HTTP. Resolves once connected, so that callers opening several one after another give
 * them modelled source ports in creation order in a deterministic run; `closed` settles when the
 * server ends it. Undefined when the connection failed.
 */
export async function openClientSocket(lab: Lab): Promise<{ socket: Socket; closed: Promise<void> } | undefined> {
  const { host, port } = lab.controller.endpoint;
  const socket: Socket = connect({ host, port });
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const opened = await Promise.race([new Promise<boolean>((resolve) => socket.once('connect', () => resolve(true))), closed.then(() => false)]);
  if (!opened) return undefined;
  if (lab.addresses) lab.addresses.book.connected(socket, lab.addresses.clientIp);
  return { socket, closed };
}
