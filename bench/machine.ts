import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { nginxVersion } from './nginx.ts';

const require = createRequire(import.meta.url);

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  kernel: string;
  versions: Record<string, string>;
}

function packageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

function osName(): string {
  try {
    return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function wrkVersion(): string {
  // `wrk -v` prints its banner and exits 1.
  const out = spawnSync('wrk', ['-v'], { encoding: 'utf8' });
  return /wrk (\S+)/.exec(`${out.stdout}${out.stderr}`)?.[1] ?? 'not installed';
}

export function machine(): Machine {
  const c = cpus();
  return {
    cpu: c[0]?.model ?? 'unknown',
    cores: c.length,
    memoryGiB: totalmem() / 2 ** 30,
    os: osName(),
    kernel: release(),
    versions: {
      node: process.version,
      npm: execFileSync('npm', ['-v'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(),
      undici: packageVersion('undici'),
      tsx: packageVersion('tsx'),
      'http-proxy': packageVersion('http-proxy'),
      wrk: wrkVersion(),
      nginx: nginxVersion(),
    },
  };
}

/** The 1-minute load average: how busy the machine was besides the bench. */
export function load1(): number {
  return loadavg()[0]!;
}
