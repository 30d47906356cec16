import type { Socket } from 'node:net';

/**
 * http.sys connection ids as GENERAL_REQUEST_START shows them (`ConnId`, `RawConnId`): one per
 * connection, numbered per host in accept order, so requests on one keep-alive connection share
 * it and a run's ids do not depend on what else the process ran. The base value is the lab's [U].
 */
const BASE = 0x1000000000000000n;
const hosts = new WeakMap<object, { next: bigint; of: WeakMap<Socket, string> }>();

export function connectionId(host: object, socket: Socket): string {
  let book = hosts.get(host);
  if (!book) hosts.set(host, (book = { next: BASE + 1n, of: new WeakMap() }));
  // Kept as text: every request on a connection asks for it.
  let id = book.of.get(socket);
  if (id === undefined) book.of.set(socket, (id = (book.next++).toString()));
  return id;
}
