import { connect } from 'node:net';
import { unsafeUniformIntDistribution, xoroshiro128plus, type RandomGenerator } from 'pure-rand';

/**
 * A mutation fuzzer for the hosts' http.sys front: valid requests (GET, keep-alive pairs, POST with
 * Content-Length, chunked POST, 100-continue) mutated byte- and line-wise, each sent over its own
 * raw connection, which must end with an answer or a close. Seeded: the same seed sends the same
 * bytes in the same order.
 */
export interface FuzzOptions {
  port: number;
  seed: number;
  /** Cases to send (bounded by count in the test suite)... */
  cases?: number;
  /** ...or until this wall time has passed (the bench). */
  durationMs?: number;
  /** Connections in flight at once. */
  concurrency?: number;
  /** A connection neither answered nor closed after this long counts as hung. */
  hangMs?: number;
}

export interface FuzzReport {
  cases: number;
  /** Connections on which some bytes came back before the end. */
  answered: number;
  /** Connections ended by the host without a byte (FIN or RST). */
  closedSilently: number;
  /** Connections still open after hangMs: each is a defect. */
  hung: number;
  /** First status code of each answer. */
  statuses: Record<string, number>;
}

const HOST = 'Host: fuzz\r\n';
const SEEDS = [
  `GET / HTTP/1.1\r\n${HOST}User-Agent: fuzz\r\nConnection: close\r\n\r\n`,
  `GET /a/b.aspx?x=1&y=%20 HTTP/1.1\r\n${HOST}\r\nGET /second HTTP/1.1\r\n${HOST}Connection: close\r\n\r\n`,
  `POST /form HTTP/1.1\r\n${HOST}Content-Type: text/plain\r\nContent-Length: 11\r\nConnection: close\r\n\r\nhello world`,
  `POST /upload HTTP/1.1\r\n${HOST}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n`,
  `PUT /put HTTP/1.1\r\n${HOST}Expect: 100-continue\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc`,
  `HEAD / HTTP/1.0\r\n\r\n`,
  `OPTIONS * HTTP/1.1\r\n${HOST}Connection: close\r\n\r\n`,
];
const INTERESTING = ['\0', '\r', '\n', ' ', '\t', ':', '%', '#', '?', '/', '\xff', '\x7f', '-1', '0x10', '99999999999999999999', 'HTTP/1.1', 'chunked', 'Host: x\r\n', '\r\n\r\n'];

export class RequestFuzzer {
  private readonly rng: RandomGenerator;

  constructor(seed: number) {
    this.rng = xoroshiro128plus(seed);
  }

  private int(max: number): number {
    return unsafeUniformIntDistribution(0, max - 1, this.rng);
  }

  private pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }

  /** One case: a valid request with one to four mutations. */
  next(): string {
    let s = this.pick(SEEDS);
    const n = 1 + this.int(4);
    for (let i = 0; i < n; i++) s = this.mutate(s);
    return s;
  }

  private mutate(s: string): string {
    const at = this.int(s.length + 1);
    switch (this.int(9)) {
      case 0: // flip a byte
        return s.slice(0, at) + String.fromCharCode(this.int(256)) + s.slice(at + 1);
      case 1: // insert something parsers trip on
        return s.slice(0, at) + this.pick(INTERESTING) + s.slice(at);
      case 2: // delete a run
        return s.slice(0, at) + s.slice(at + 1 + this.int(8));
      case 3: // truncate
        return s.slice(0, at);
      case 4: { // duplicate a line
        const lines = s.split('\r\n');
        const i = this.int(lines.length);
        lines.splice(i, 0, lines[i]!);
        return lines.join('\r\n');
      }
      case 5: { // grow a run past the limits
        const len = 1 + this.int(4);
        return s.slice(0, at) + s.slice(at, at + len).repeat(1 + this.int(6000)) + s.slice(at + len);
      }
      case 6: // a line ending changed
        return s.replace('\r\n', this.pick(['\n', '\r', '\r\r\n', '\n\r']));
      case 7: // a number changed
        return s.replace(/\d+/, this.pick(['-1', '', '00', 'ff', '18446744073709551616', '3']));
      default: // a header added
        return s.replace('\r\n', `\r\n${this.pick(['Host: other', 'Content-Length: 5', 'Transfer-Encoding: gzip', 'Connection: keep-alive', 'Expect: 100-continue', 'X: \x01'])}\r\n`);
    }
  }
}

/** Sends cases until the count or the time is reached; every connection must end. */
export async function fuzz(options: FuzzOptions): Promise<FuzzReport> {
  const fuzzer = new RequestFuzzer(options.seed);
  const report: FuzzReport = { cases: 0, answered: 0, closedSilently: 0, hung: 0, statuses: {} };
  const deadline = options.durationMs === undefined ? Infinity : Date.now() + options.durationMs;
  const limit = options.cases ?? Infinity;
  const more = () => report.cases < limit && Date.now() < deadline;
  const worker = async () => {
    while (more()) {
      report.cases++;
      const outcome = await send(options.port, fuzzer.next(), options.hangMs ?? 10_000);
      if (outcome.hung) report.hung++;
      else if (outcome.received.length > 0) report.answered++;
      else report.closedSilently++;
      const status = /^HTTP\/1\.1 (\d{3})/.exec(outcome.received)?.[1] ?? (outcome.received.length > 0 ? 'other' : 'none');
      report.statuses[status] = (report.statuses[status] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  return report;
}

function send(port: number, bytes: string, hangMs: number): Promise<{ received: string; hung: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write(Buffer.from(bytes, 'latin1')));
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ received: Buffer.concat(chunks).toString('latin1'), hung: true });
    }, hangMs);
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ received: Buffer.concat(chunks).toString('latin1'), hung: false });
    });
  });
}
