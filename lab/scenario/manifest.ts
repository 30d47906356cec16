import { rename, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** Writes the scenario's manifest whole or not at all. */
export async function writeManifest(dir: string, manifest: unknown): Promise<string> {
  const file = join(dir, 'manifest.json');
  const tmp = `${file}.tmp`;
  await writeFile(tmp, JSON.stringify(manifest, null, 2) + '\n');
  await rename(tmp, file);
  return file;
}

export function relativeFiles(dir: string, files: { w3svc: string[]; httperr: string[]; freb?: string[]; events?: string[]; winhttp?: string[] }) {
  const rel = (list: string[]) => list.map((f) => relative(dir, f));
  return {
    w3svc: rel(files.w3svc),
    httperr: rel(files.httperr),
    freb: rel(files.freb ?? []),
    ...(files.events ? { events: rel(files.events) } : {}),
    ...(files.winhttp ? { winhttp: rel(files.winhttp) } : {}),
  };
}
