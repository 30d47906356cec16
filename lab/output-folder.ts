import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmdirSync, statSync, unlinkSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { InputError } from '../core/input-error.ts';

/**
 * The lab writes only into folders it made. Each one carries this marker; a folder without it is
 * the user's and is never written into (unless empty) nor emptied. Within a run folder the marker
 * lists the files the lab wrote, and a rerun removes exactly those: anything a user added stays.
 */
export const MARKER = '.arr-lab-output';

export type RunState = 'running' | 'complete' | 'interrupted';

interface Marker {
  createdBy: 'arr-lab';
  /** `collection`: holds one run folder per scenario. `run`: holds one lab's files. */
  kind: 'collection' | 'run';
  state?: RunState;
  /** Run folders: what the lab wrote there, relative, sorted; absent while a run is in progress. */
  files?: string[];
  /** While a run is in progress: what was there before it (the user's), so it is not taken for the lab's. */
  kept?: string[];
}

const NOTE = 'This folder was created by arr-lab; a rerun replaces the files listed here and nothing else.';

/** Places no lab writes to: kernel and device file systems accept mkdir oddly or hang readers. */
const SYSTEM_ROOTS = ['/proc', '/sys', '/dev'];

function readMarker(dir: string): Marker | undefined {
  const file = join(dir, MARKER);
  if (!existsSync(file)) return undefined;
  try {
    const marker = JSON.parse(readFileSync(file, 'utf8')) as Marker;
    return marker.createdBy === 'arr-lab' ? marker : undefined;
  } catch {
    return undefined;
  }
}

function writeMarker(dir: string, marker: Marker): void {
  const file = join(dir, MARKER);
  // Whole or not at all: a marker cut short would make the folder look foreign.
  writeFileSync(`${file}.tmp`, `${JSON.stringify({ ...marker, note: NOTE }, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/**
 * Makes `dir` the lab's, or refuses (InputError, nothing written): it may be new, empty, or
 * marked by an earlier run. Checked before any lab starts, so a bad `--out` fails at once.
 */
export function claimFolder(dir: string, kind: Marker['kind'], option = '--out'): void {
  const path = resolve(dir);
  if (SYSTEM_ROOTS.some((root) => path === root || path.startsWith(root + sep))) {
    throw new InputError(`${option} ${dir}: the lab does not write under ${SYSTEM_ROOTS.join(', ')}; choose a folder of your own`);
  }
  if (existsSync(path)) {
    if (!statSync(path).isDirectory()) throw new InputError(`${option} ${dir}: exists and is not a folder`);
    const marker = readMarker(path);
    if (marker) return;
    if (readdirSync(path).length > 0) {
      throw new InputError(
        `${option} ${dir}: the folder exists, is not empty and was not created by arr-lab (it has no ${MARKER} file). ` +
          'The lab writes only into a new or empty folder, or one it created before; choose another folder.',
      );
    }
  }
  try {
    mkdirSync(path, { recursive: true });
    writeMarker(path, { createdBy: 'arr-lab', kind });
  } catch (err) {
    throw new InputError(`${option} ${dir}: cannot create or write the folder: ${(err as Error).message}`);
  }
}

/**
 * Readies one lab run's folder (a scenario's, or a load run's): claims it, removes the files an
 * earlier run recorded there, and marks the run as in progress. A folder whose earlier run never
 * recorded its files (the process was killed) is refused: the lab cannot tell its files from
 * the user's.
 */
export function startRun(dir: string, option = '--out'): void {
  claimFolder(dir, 'run', option);
  const path = resolve(dir);
  const marker = readMarker(path)!;
  if (marker.kind === 'collection' && readdirSync(path).length > 1) {
    throw new InputError(`${option} ${dir}: holds the output of several scenarios; a single run needs a folder of its own`);
  }
  if (marker.kind === 'run' && marker.files === undefined && readdirSync(path).length > 1) {
    throw new InputError(`${path}: an earlier run here never finished (the process was killed), so the lab cannot tell its files from yours; remove the folder or choose another`);
  }
  for (const file of marker.files ?? []) removeOwn(path, file);
  writeMarker(path, { createdBy: 'arr-lab', kind: 'run', state: 'running', kept: filesUnder(path).filter((f) => f !== MARKER) });
}

/** Records the files of the run just written, and how it ended. */
export function finishRun(dir: string, state: Exclude<RunState, 'running'>): void {
  const path = resolve(dir);
  const kept = new Set(readMarker(path)?.kept ?? []);
  writeMarker(path, { createdBy: 'arr-lab', kind: 'run', state, files: filesUnder(path).filter((f) => f !== MARKER && !kept.has(f)).sort() });
}

function filesUnder(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? filesUnder(root, path) : [relative(root, path)];
  });
}

/** Removes one recorded file, then the folders it leaves empty, never climbing out of the run folder. */
function removeOwn(root: string, file: string): void {
  const path = resolve(root, file);
  if (!path.startsWith(root + sep)) return;
  if (existsSync(path) && lstatSync(path).isFile()) unlinkSync(path);
  for (let d = dirname(path); d !== root && d.startsWith(root + sep); d = dirname(d)) {
    if (!existsSync(d) || readdirSync(d).length > 0) break;
    rmdirSync(d);
  }
}
