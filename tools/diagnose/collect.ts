import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { readW3cText, type W3cRow } from '../../lab/artifacts/w3c-reader.ts';
import { readEvents, type EventEntry } from './event-reader.ts';
import { readFreb, type FrebTrace } from './freb-reader.ts';
import { readWinHttpTrace, type WinHttpFailure } from './winhttp-reader.ts';
import { InputError } from '../../core/input-error.ts';

/**
 * Everything diagnose reads, grouped by host: a lab bundle (`<host>/inetpub/...`,
 * `<host>/Windows/...`) or a real server's folders. Files are recognised by content, not by name,
 * so a renamed or copied log still counts.
 */
export interface LogFile {
  /** Path relative to the base, with `/`: what evidence and answer keys name. */
  file: string;
  rows: W3cRow[];
}

export interface HostArtifacts {
  name: string;
  w3svc: LogFile[];
  httperr: LogFile[];
  freb: { file: string; trace: FrebTrace }[];
  events: { file: string; entries: EventEntry[] }[];
  winhttp: { file: string; failures: WinHttpFailure[] }[];
}

export interface Artifacts {
  base: string;
  hosts: HostArtifacts[];
  /** Files that could not be read, each naming the file and why. */
  problems: string[];
}

type Kind = 'w3svc' | 'httperr' | 'freb' | 'events' | 'winhttp';

function sniff(head: string): Kind | undefined {
  if (/^#Software: Microsoft HTTP API/m.test(head) || /^#Fields:.*\bs-reason\b/m.test(head)) return 'httperr';
  if (/^#Software: Microsoft Internet Information Services/m.test(head) || /^#Fields:.*\bcs-uri-stem\b/m.test(head)) return 'w3svc';
  if (head.includes('<failedRequest')) return 'freb';
  if (/<Events[\s>]/.test(head) || /<Event xmlns="http:\/\/schemas\.microsoft\.com\/win\/2004\/08\/events\/event">\s*<System>\s*<Provider Name="(?!WWW Server)/.test(head)) return 'events';
  if (/^WINHTTP_\w+:\d{2}:\d{2}:\d{2}\.\d{3} ::/m.test(head)) return 'winhttp';
  return undefined;
}

/** The folder a host's files live under: the part of the path before `inetpub` or `Windows`. */
function hostOf(rel: string, base: string): string {
  const parts = rel.split('/');
  const at = parts.findIndex((p) => /^(inetpub|windows)$/i.test(p));
  if (at > 0) return parts.slice(0, at).join('/');
  if (at === 0) return basename(base) || 'server';
  return parts.length > 1 ? parts[0]! : 'server';
}

/**
 * A lab bundle's manifest lists every host whose folders were collected, also those that wrote
 * nothing (a member no request reached). Diagnose reads that list only, never the labels: it is
 * what a support engineer knows ("I have every server's logs").
 */
function collectedHosts(text: string, rel: string): string[] {
  try {
    const hosts = (JSON.parse(text) as { hosts?: unknown }).hosts;
    const prefix = rel.includes('/') ? `${rel.slice(0, rel.lastIndexOf('/'))}/` : '';
    return hosts && typeof hosts === 'object' ? Object.keys(hosts).map((h) => `${prefix}${h}`) : [];
  } catch {
    return [];
  }
}

async function walk(path: string): Promise<string[]> {
  const s = await stat(path);
  if (!s.isDirectory()) return [path];
  const out: string[] = [];
  for (const entry of (await readdir(path, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    out.push(...(await walk(join(path, entry.name))));
  }
  return out;
}

export async function collect(paths: string[]): Promise<Artifacts> {
  if (paths.length === 0) throw new InputError('give a bundle folder, a server\'s log folders or log files');
  const absolute = paths.map((p) => resolve(p));
  const single = absolute.length === 1 ? await stat(absolute[0]!).catch(() => undefined) : undefined;
  const base = single?.isDirectory() ? absolute[0]! : process.cwd();
  const hosts = new Map<string, HostArtifacts>();
  const problems: string[] = [];
  for (const path of absolute) {
    let files: string[];
    try {
      files = await walk(path);
    } catch (err) {
      throw new InputError(`${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (err as Error).message}`);
    }
    for (const file of files) {
      const rel = relative(base, file).split(sep).join('/');
      const text = await readFile(file, 'utf8');
      if (basename(file) === 'manifest.json') {
        collectedHosts(text, rel).forEach((name) => hosts.has(name) || hosts.set(name, { name, w3svc: [], httperr: [], freb: [], events: [], winhttp: [] }));
        continue;
      }
      const kind = sniff(text.slice(0, 4096));
      if (!kind) continue;
      const hostName = hostOf(rel, base);
      const host = hosts.get(hostName) ?? { name: hostName, w3svc: [], httperr: [], freb: [], events: [], winhttp: [] };
      hosts.set(hostName, host);
      try {
        if (kind === 'w3svc' || kind === 'httperr') {
          const log = readW3cText(text);
          for (const s of log.skipped) problems.push(`${rel}:${s.line}: ${s.reason}`);
          host[kind].push({ file: rel, rows: log.rows });
        } else if (kind === 'freb') host.freb.push({ file: rel, trace: readFreb(text, rel) });
        else if (kind === 'events') host.events.push({ file: rel, entries: readEvents(text, rel) });
        else host.winhttp.push({ file: rel, failures: readWinHttpTrace(text) });
      } catch (err) {
        problems.push(`${rel}: ${(err as Error).message}`);
      }
    }
  }
  return { base, hosts: [...hosts.values()].sort((a, b) => (a.name < b.name ? -1 : 1)), problems };
}
