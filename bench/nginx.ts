import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { delay, spawnTracked, terminate } from './children.ts';

/** Debian installs nginx in /usr/sbin, which a non-root PATH may lack. */
export function nginxBinary(): string {
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir && existsSync(join(dir, 'nginx'))) return join(dir, 'nginx');
  if (existsSync('/usr/sbin/nginx')) return '/usr/sbin/nginx';
  throw new Error('nginx not found: run bench/install-tools.sh');
}

export function nginxVersion(): string {
  // nginx -v prints to stderr.
  const r = spawnSync(nginxBinary(), ['-v'], { encoding: 'utf8' });
  return `${r.stderr}${r.stdout}`.trim().replace(/^nginx version: /, '');
}

/** The config the bench runs, stated in RESULTS.md. */
export const NGINX_SETUP =
  'nginx from Debian, `worker_processes 1` (one core, like a Node process), upstream `keepalive 64` over HTTP/1.1, ' +
  '`access_log` **on** (combined format, `buffer=256k flush=200ms`, as the lab buffers its W3SVC lines)';

function config(dir: string, port: number, member: { host: string; port: number }): string {
  return `worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log ${dir}/access.log combined buffer=256k flush=200ms;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream member { server ${member.host}:${member.port}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://member;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
}

/** A loopback port nobody listens on right now (nginx cannot bind port 0 and report it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

export interface Nginx {
  pid: number;
  port: number;
  stop(): Promise<void>;
}

/** nginx as a foreground process the bench owns, everything it writes inside `dir`. */
export async function startNginx(dir: string, member: { host: string; port: number }): Promise<Nginx> {
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  await writeFile(conf, config(dir, port, member));
  const { child, exited } = spawnTracked(nginxBinary(), ['-p', dir, '-e', join(dir, 'error.log'), '-c', conf, '-g', 'daemon off;'], ['ignore', 'inherit', 'inherit']);
  const stop = () => terminate(child, exited, 'SIGQUIT');
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited (${child.exitCode}); see ${dir}/error.log`);
    if (await accepting(port)) return { pid: child.pid!, port, stop };
    await delay(50);
  }
  await stop();
  throw new Error(`nginx did not listen on 127.0.0.1:${port} within 5 s`);
}
