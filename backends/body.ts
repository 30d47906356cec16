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

export function filler(bytes: number): Buffer {
  const line = Buffer.from('0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\r\n');
  const out = Buffer.alloc(bytes);
  for (let i = 0; i < bytes; i += line.length) line.copy(out, i, 0, Math.min(line.length, bytes - i));
  return out;
}
