import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { request } from 'undici';
import { parseDetailedError } from '../iis/detailed-error-page.ts';
import { LAB_REQUEST_HEADER } from '../iis/host-request.ts';
import { Lab, type Topology, type TopologyInput } from '../lab/lab.ts';

export function tempDir(prefix = 'arr-lab-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Starts a lab, runs `fn`, stops the lab and removes its folder whatever happens. */
export async function withLab<T>(topology: TopologyInput | Topology, fn: (lab: Lab) => Promise<T>, timeScale = 0.001): Promise<T> {
  const { dir, cleanup } = tempDir();
  const lab = await Lab.start(topology, { root: dir, timeScale });
  try {
    return await fn(lab);
  } finally {
    await lab.stop();
    cleanup();
  }
}

/** A client request through the lab's controller, with what the page says. */
export async function get(lab: Lab, path: string, id: string, headers: Record<string, string> = {}) {
  const res = await request(lab.url(path), { headers: { ...headers, [LAB_REQUEST_HEADER]: id } });
  const body = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body, page: parseDetailedError(body) };
}

export interface ParsedLog {
  directives: string[];
  fields: string[];
  rows: Record<string, string>[];
}

/**
 * Reads a W3C-format file back the way a log tool does: by the #Fields directive, field by field.
 * Several directive blocks in one file are honoured.
 */
export function readW3c(file: string): ParsedLog {
  const text = readFileSync(file, 'latin1');
  if (!text.endsWith('\r\n')) throw new Error(`${file} does not end with CRLF`);
  const lines = text.slice(0, -2).split('\r\n');
  const out: ParsedLog = { directives: [], fields: [], rows: [] };
  for (const line of lines) {
    if (line.includes('\n') || line.includes('\r')) throw new Error(`bare line break in ${file}: ${JSON.stringify(line)}`);
    if (line.startsWith('#')) {
      out.directives.push(line);
      if (line.startsWith('#Fields: ')) out.fields = line.slice(9).split(' ');
      continue;
    }
    const values = line.split(' ');
    if (values.length !== out.fields.length) throw new Error(`${file}: ${values.length} values for ${out.fields.length} fields: ${line}`);
    out.rows.push(Object.fromEntries(out.fields.map((f, i) => [f, values[i]!])));
  }
  return out;
}

/** The one row of a host's log files that carries a lab request id (via the structured record's position). */
export function logFiles(lab: Lab, host: string) {
  const h = lab.hosts.find((x) => x.name === host)!;
  return h.files();
}

/** Sends raw bytes (then shuts the sending side when `shut`) and collects everything until the connection closes. */
export function exchange(port: number, bytes: string | Buffer, options: { shut?: boolean } = {}): Promise<{ received: string; ended: 'fin' | 'rst' }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const data = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes;
    const socket = connect({ host: '127.0.0.1', port }, () => (options.shut ? socket.end(data) : socket.write(data)));
    socket.on('data', (c) => chunks.push(c));
    let ended: 'fin' | 'rst' = 'fin';
    socket.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNRESET') ended = 'rst';
    });
    socket.on('close', () => resolve({ received: Buffer.concat(chunks).toString('latin1'), ended }));
  });
}
