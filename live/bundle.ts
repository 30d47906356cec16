import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { zip, type Zippable } from 'fflate';
import { MARKER } from '../lab/output-folder.ts';

/**
 * The lab's artifact folder as one zip, with the same layout as `--out` (one folder per host,
 * each a Windows system drive). fflate builds it in memory with no native code; the lab's files
 * are logs of a live session, small enough for that.
 */
export async function bundleOf(root: string): Promise<Buffer> {
  const files: Zippable = {};
  for (const file of await filesUnder(root)) files[relative(root, file).split(sep).join('/')] = await readFile(file);
  return new Promise((resolve, reject) => zip(files, { level: 6 }, (err, data) => (err ? reject(err) : resolve(Buffer.from(data)))));
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    // The folder's own bookkeeping (the output marker) is not an artifact; half-written temp files are not yet.
    else if (entry.isFile() && !entry.name.endsWith('.tmp') && entry.name !== MARKER) out.push(path);
  }
  return out;
}
