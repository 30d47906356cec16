import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ChunkedDecoder } from '../iis/http-sys/body-decoder.ts';
import { withLab } from './helpers.ts';

describe('http.sys connections', () => {
  it('answers pipelined requests in order, one W3SVC line each, and keeps the connection for the next', async () => {
    await withLab({ members: [{ name: 'member1' }] }, async (lab) => {
      const socket = connect({ host: '127.0.0.1', port: lab.member('member1').endpoint.port });
      let received = '';
      socket.on('data', (c) => (received += c.toString('latin1')));
      const responses = (n: number) => new Promise<void>((resolve) => {
        const check = () => ((received.match(/HTTP\/1\.1 200 OK/g)?.length ?? 0) >= n ? resolve() : setTimeout(check, 2));
        check();
      });
      socket.write('GET /a HTTP/1.1\r\nHost: member1\r\n\r\nGET /b HTTP/1.1\r\nHost: member1\r\n\r\n');
      await responses(2);
      expect(socket.destroyed).toBe(false);
      socket.write('GET /c HTTP/1.1\r\nHost: member1\r\nConnection: close\r\n\r\n');
      await new Promise((resolve) => socket.on('close', resolve));
      expect(received.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(3);
      expect(received).toMatch(/Connection: close\r\n/);
      expect(lab.member('member1').records().map((r) => (r.kind === 'w3c' ? r.entry['cs-uri-stem'] : r.kind))).toEqual(['/a', '/b', '/c']);
    });
  });

  it('decodes a chunked body whatever the read boundaries, extensions and trailers included', () => {
    const wire = Buffer.from('5;name=v\r\nhello\r\n1\r\n \r\n6\r\nworld!\r\n0\r\nX-Trailer: t\r\n\r\nGET /next');
    for (let split = 1; split < wire.length; split++) {
      const decoder = new ChunkedDecoder();
      const out: Buffer[] = [];
      let rest = Buffer.alloc(0);
      for (const part of [wire.subarray(0, split), wire.subarray(split)]) {
        const buf = Buffer.concat([rest, part]);
        const used = decoder.done ? 0 : decoder.feed(buf, (c) => out.push(Buffer.from(c)));
        rest = buf.subarray(used);
      }
      expect(decoder.error).toBeUndefined();
      expect(decoder.done).toBe(true);
      expect(Buffer.concat(out).toString()).toBe('hello world!');
      expect(rest.toString()).toBe('GET /next');
    }
  });

  it('refuses a chunked body whose size is not hex or whose data overruns its size', () => {
    for (const bad of ['zz\r\n', '3\r\nhello\r\n', '5\nhello\r\n']) {
      const decoder = new ChunkedDecoder();
      decoder.feed(Buffer.from(bad), () => {});
      expect(decoder.error, bad).toBeDefined();
    }
  });
});
