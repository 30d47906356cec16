import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./wrk.lua', import.meta.url));

export interface WrkOptions {
  url: string;
  threads: number;
  connections: number;
  durationS: number;
  /** Pace each connection: ms between a response and its next request. */
  delayMs?: number;
}

export interface WrkResult {
  requests: number;
  durationUs: number;
  bytes: number;
  errors: { connect: number; read: number; write: number; status: number; timeout: number };
  latencyUs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** Requests per second over the run. */
  rate: number;
  /** Every error wrk counted, non-2xx/3xx statuses included. */
  failed: number;
}

/** One wrk run (Debian's wrk 4.1), killed if it outlives its duration by 15 s. */
export function runWrk(o: WrkOptions): Promise<WrkResult> {
  const args = ['-t', String(o.threads), '-c', String(o.connections), '-d', `${o.durationS}s`, '--timeout', '10s', '-s', SCRIPT, o.url];
  const env = { ...process.env, ...(o.delayMs !== undefined ? { BENCH_DELAY_MS: String(o.delayMs) } : {}) };
  return new Promise((resolve, reject) => {
    execFile('wrk', args, { env, timeout: (o.durationS + 15) * 1000, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`wrk ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      const line = stdout.split('\n').find((l) => l.startsWith('BENCH_JSON '));
      if (!line) return reject(new Error(`wrk printed no result:\n${stdout}\n${stderr}`));
      const r = JSON.parse(line.slice('BENCH_JSON '.length)) as Omit<WrkResult, 'rate' | 'failed'>;
      const failed = Object.values(r.errors).reduce((a, b) => a + b, 0);
      resolve({ ...r, rate: r.requests / (r.durationUs / 1e6), failed });
    });
  });
}
