import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { withLab } from './helpers.ts';

/**
 * What a member's faults put on the wire, seen by a raw TCP client: an RST shows up as
 * ECONNRESET, a FIN as a clean end. No HTTP library in between to smooth things over.
 */
function rawExchange(port: number, path: string): Promise<{ bytes: Buffer; ending: 'rst' | 'fin'; error?: string }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: '127.0.0.1', port }, () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: member1\r\nConnection: keep-alive\r\n\r\n`);
    });
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', (err: NodeJS.ErrnoException) => resolve({ bytes: Buffer.concat(chunks), ending: err.code === 'ECONNRESET' ? 'rst' : 'fin', error: err.code }));
    socket.on('end', () => {
      resolve({ bytes: Buffer.concat(chunks), ending: 'fin' });
      socket.destroy();
    });
  });
}

describe('faults on the wire', () => {
  const script = [
    { route: '/close/', do: ['close-without-response'] },
    { route: '/flush/', do: [{ 'flush-then-close': { bytes: 700, contentLength: 10000 } }] },
    { route: '/raw-fin/', do: [{ 'send-raw': { data: 'garbage\r\n', then: 'close' } }] },
  ];

  it('close-without-response sends an RST and not a single response byte', async () => {
    await withLab({ members: [{ name: 'member1', script }] }, async (lab) => {
      const got = await rawExchange(lab.member('member1').endpoint.port, '/close/');
      expect(got.ending).toBe('rst');
      expect(got.bytes.length).toBe(0);
    });
  });

  it('flush-then-close sends the headers and the flushed bytes, then an RST', async () => {
    await withLab({ members: [{ name: 'member1', script }] }, async (lab) => {
      const got = await rawExchange(lab.member('member1').endpoint.port, '/flush/');
      expect(got.ending).toBe('rst');
      const text = got.bytes.toString('latin1');
      expect(text.startsWith('HTTP/1.1 200 OK\r\n')).toBe(true);
      expect(text).toContain('Content-Length: 10000\r\n');
      const body = got.bytes.subarray(got.bytes.indexOf('\r\n\r\n') + 4);
      expect(body.length).toBe(700);
    });
  });

  it('send-raw with then: close ends with a FIN after its bytes', async () => {
    await withLab({ members: [{ name: 'member1', script }] }, async (lab) => {
      const got = await rawExchange(lab.member('member1').endpoint.port, '/raw-fin/');
      expect(got.ending).toBe('fin');
      expect(got.bytes.toString('latin1')).toBe('garbage\r\n');
    });
  });

  it('an offline member refuses the connection', async () => {
    await withLab({ members: [{ name: 'member1', offline: true }] }, async (lab) => {
      const err = await new Promise<string | undefined>((resolve) => {
        const s = connect({ host: '127.0.0.1', port: lab.member('member1').endpoint.port });
        s.on('connect', () => {
          s.destroy();
          resolve(undefined);
        });
        s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code));
      });
      expect(err).toBe('ECONNREFUSED');
    });
  });
});
