import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where a process spent its CPU (a V8 .cpuprofile) or holds its memory (a sampling heap profile),
 * by function and by origin: project folders, node_modules packages, Node internals, GC.
 * `amount` is ms of self time or bytes of live allocations.
 */
export interface ProfileSummary {
  total: number;
  /** Largest first. */
  functions: { name: string; where: string; amount: number; share: number }[];
  origins: { origin: string; amount: number; share: number }[];
  /**
   * CPU profiles: time with a project function (not node_modules, not Node) anywhere on the
   * stack, so what a project function costs includes the Node and package code it calls.
   */
  inclusive?: { name: string; where: string; amount: number; share: number }[];
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface HeapNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: HeapNode[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function originOf(url: string, name: string): string {
  if (name === '(garbage collector)') return 'GC';
  if (name === '(idle)' || name === '(program)' || name === '(root)') return name;
  if (!url) return 'native / V8';
  if (url.startsWith('node:')) return 'Node internals';
  // The only WebAssembly in these processes is llhttp, undici's HTTP parser.
  if (url.startsWith('wasm://')) return 'package undici (llhttp wasm)';
  if (!url.startsWith('file://') && !url.startsWith('/')) return 'other';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (m) return `package ${m[1]}`;
  const rel = relative(ROOT, path);
  return rel.startsWith('..') ? 'other' : `${rel.split('/')[0]}/`;
}

type Frame = { functionName: string; url: string; lineNumber: number; columnNumber?: number };

const maps = new Map<string, SourceMap | undefined>();

/** A frame of a compiled bench host (bench/host-build.ts), moved to the project file it came from. */
function original(frame: Frame): Frame {
  if (!frame.url.startsWith('file://') || !frame.url.endsWith('.mjs')) return frame;
  if (!maps.has(frame.url)) {
    const mapFile = `${fileURLToPath(frame.url)}.map`;
    maps.set(frame.url, existsSync(mapFile) ? new SourceMap(JSON.parse(readFileSync(mapFile, 'utf8'))) : undefined);
  }
  const map = maps.get(frame.url);
  const entry = map?.findEntry(frame.lineNumber, frame.columnNumber ?? 0);
  if (!entry || !('originalSource' in entry)) return frame;
  // Sources are listed relative to the map's own folder.
  const source = new URL(entry.originalSource, frame.url).href;
  return { ...frame, url: source, lineNumber: entry.originalLine };
}

function describe(compiled: Frame): { name: string; where: string; origin: string } {
  const frame = original(compiled);
  const { functionName, url, lineNumber } = frame;
  const name = functionName || '(anonymous)';
  const origin = originOf(url, name);
  let where = origin;
  if (url.startsWith('file://')) where = `${relative(ROOT, fileURLToPath(url))}${frame === compiled ? '' : `:${lineNumber + 1}`}`;
  else if (url.startsWith('/')) where = `${relative(ROOT, url)}:${lineNumber + 1}`;
  else if (url) where = `${url}:${lineNumber + 1}`;
  return { name, where, origin };
}

/** The project's own layers (bench/ excluded: its code only runs between measurements). */
const isProject = (origin: string) => /^(core|iis|proxy|backends|lab)\/$/.test(origin);

class Tally {
  private readonly byFn = new Map<string, { name: string; where: string; amount: number }>();
  private readonly byOrigin = new Map<string, number>();
  private total = 0;

  private readonly inclusive = new Map<string, { name: string; where: string; amount: number }>();

  add(frame: Frame, amount: number): void {
    const { name, where, origin } = describe(frame);
    if (origin === '(idle)' || origin === '(root)' || amount <= 0) return;
    this.total += amount;
    const key = `${name}@${where}`;
    const entry = this.byFn.get(key) ?? { name, where, amount: 0 };
    entry.amount += amount;
    this.byFn.set(key, entry);
    this.byOrigin.set(origin, (this.byOrigin.get(origin) ?? 0) + amount);
  }

  /** Charges `amount` once to every distinct project function on a sample's stack. */
  addInclusive(stack: Frame[], amount: number): void {
    const seen = new Set<string>();
    for (const frame of stack) {
      const { name, where, origin } = describe(frame);
      const key = `${name}@${where}`;
      if (!isProject(origin) || seen.has(key)) continue;
      seen.add(key);
      const entry = this.inclusive.get(key) ?? { name, where, amount: 0 };
      entry.amount += amount;
      this.inclusive.set(key, entry);
    }
  }

  summary(top: number): ProfileSummary {
    const share = (x: number) => (this.total > 0 ? x / this.total : 0);
    return {
      ...(this.inclusive.size > 0
        ? { inclusive: [...this.inclusive.values()].sort((a, b) => b.amount - a.amount).slice(0, top).map((f) => ({ ...f, share: share(f.amount) })) }
        : {}),
      total: this.total,
      functions: [...this.byFn.values()].sort((a, b) => b.amount - a.amount).slice(0, top).map((f) => ({ ...f, share: share(f.amount) })),
      origins: [...this.byOrigin].sort((a, b) => b[1] - a[1]).map(([origin, amount]) => ({ origin, amount, share: share(amount) })),
    };
  }
}

/** Self time (ms) per function over a .cpuprofile; idle time is left out. */
export async function summariseCpuProfile(file: string, top = 15): Promise<ProfileSummary> {
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const tally = new Tally();
  // Each sample is charged the time until the next one.
  for (let i = 0; i < profile.samples.length; i++) {
    const node = byId.get(profile.samples[i]!);
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    if (!node) continue;
    tally.add(node.callFrame, ms);
    const stack: Frame[] = [];
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) stack.push(byId.get(id)!.callFrame);
    tally.addInclusive(stack, ms);
  }
  return tally.summary(top);
}

/** Live bytes per allocating function over a sampling heap profile (.heapprofile). */
export async function summariseHeapProfile(file: string, top = 15): Promise<ProfileSummary> {
  const { head } = JSON.parse(await readFile(file, 'utf8')) as { head: HeapNode };
  const tally = new Tally();
  const walk = (node: HeapNode) => {
    tally.add(node.callFrame, node.selfSize);
    node.children.forEach(walk);
  };
  walk(head);
  return tally.summary(top);
}
