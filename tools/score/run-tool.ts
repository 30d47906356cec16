import { spawn } from 'node:child_process';
import { InputError } from '../../core/input-error.ts';

/** Runs the tool's command for one bundle through the shell, `{bundle}` replaced by the quoted folder. */
export function toolCommand(template: string, bundleDir: string): string {
  if (!template.includes('{bundle}')) throw new InputError('the --tool command must contain {bundle}, where the bundle folder goes');
  return template.replaceAll('{bundle}', `'${bundleDir.replaceAll("'", "'\\''")}'`);
}

export interface ToolRun {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  ms: number;
}

export function runTool(command: string, timeoutMs: number): Promise<ToolRun> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('close', (code) => resolve({ stdout, stderr, exitCode: code, ms: performance.now() - started }));
    child.on('error', (err) => resolve({ stdout, stderr: `${stderr}${err.message}`, exitCode: null, ms: performance.now() - started }));
  });
}

/** Runs `fn` over the items with at most `limit` at once, results in item order. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
