import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AddressBook } from '../core/address-book.ts';

const servers: Server[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A loopback server that hands over each connection it accepts. */
async function server(): Promise<{ port: number; next: () => Promise<Socket> }> {
  const waiting: ((s: Socket) => void)[] = [];
  const srv = createServer((s) => {
    sockets.push(s);
    waiting.shift()!(s);
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as { port: number }).port,
    next: () => new Promise((r) => waiting.push(r)),
  };
}

/** Connects from real local port `localPort` (libuv binds with SO_REUSEADDR, as the kernel's own port choice may share a port). */
async function from(localPort: number, to: { port: number; next: () => Promise<Socket> }): Promise<{ client: Socket; accepted: Socket }> {
  const accepted = to.next();
  const client = connect({ host: '127.0.0.1', port: to.port, localAddress: '127.0.0.1', localPort });
  sockets.push(client);
  await new Promise((r, j) => client.once('connect', r).once('error', j));
  return { client, accepted: await accepted };
}

const closed = (s: Socket) => new Promise((r) => (s.destroyed ? r(undefined) : s.once('close', r)));
const freePort = async () => {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const { port } = probe.address() as { port: number };
  await new Promise((r) => probe.close(r));
  return port;
};

describe('address book', () => {
  it('keeps apart two open connections that share a local port towards different hosts', async () => {
    const book = new AddressBook();
    const [arr, member] = [await server(), await server()];
    const port = await freePort();
    // The client's connection to ARR, then ARR's to a member from the same real port.
    const toArr = await from(port, arr);
    book.connected(toArr.client, '192.168.0.204');
    book.accepted(toArr.accepted);
    const toMember = await from(port, member);
    book.connected(toMember.client, '192.168.0.210');
    book.accepted(toMember.accepted);
    expect(toArr.client.localPort).toBe(toMember.client.localPort);
    expect(book.peer(toArr.accepted).remote).toEqual({ ip: '192.168.0.204', port: 49152 });
    expect(book.peer(toMember.accepted).remote).toEqual({ ip: '192.168.0.210', port: 49152 });
  });

  it('forgets a connection once both ends have closed, not before: a reused port is not taken for the old party', async () => {
    const book = new AddressBook();
    const [arr, other] = [await server(), await server()];
    const port = await freePort();
    const first = await from(port, arr);
    book.connected(first.client, '192.168.0.204');
    book.accepted(first.accepted);
    // The client drops the connection; the host logs it as it sees the close, and still knows the peer.
    first.client.destroy();
    await closed(first.client);
    expect(book.peer(first.accepted).remote).toEqual({ ip: '192.168.0.204', port: 49152 });
    first.accepted.destroy();
    await closed(first.accepted);
    // The same real port again, by a connection nobody modelled (a raw socket): the host sees the real address.
    const again = await from(port, other);
    book.accepted(again.accepted);
    expect(book.peer(again.accepted).remote).toBeUndefined();
  });
});
