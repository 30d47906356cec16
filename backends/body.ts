import { z } from 'zod';

/** Options shared by the behaviours that write a body: literal text, or N filler bytes. */
export const bodySpec = {
  body: z.string().optional(),
  bodyBytes: z.number().int().min(0).max(64 * 1024 * 1024).optional(),
};

export function bodyOf(o: { body?: string | undefined; bodyBytes?: number | undefined }, host: string): Buffer {
  if (o.body !== undefined) return Buffer.from(o.body);
  if (o.bodyBytes !== undefined) return filler(o.bodyBytes);
  return Buffer.from(`<html><body>Served by ${host}</body></html>`);
}

/** Recent filler bodies by size (at most 16 × 256 KiB kept, also in a long-running lab): a page sends the same bytes every time, and sockets never change them. */
const fillers = new Map<number, Buffer>();
const FILLERS_KEPT = 16;
const LARGEST_KEPT = 256 * 1024;

export function filler(bytes: number): Buffer {
  const kept = fillers.get(bytes);
  if (kept) return kept;
  const made = fill(bytes);
  if (bytes <= LARGEST_KEPT) {
    if (fillers.size >= FILLERS_KEPT) fillers.delete(fillers.keys().next().value!);
    fillers.set(bytes, made);
  }
  return made;
}

function fill(bytes: number): Buffer {
  const line = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\r\n');
  const out = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i += line.length) line.copy(out, i, 0, Math.min(line.length, bytes - i));
  return out;
}
