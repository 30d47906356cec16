/**
 * Reads a W3C extended log (a W3SVC `u_ex*.log` or an http.sys `httperr*.log`) as a log tool does:
 * by its `#Fields` directive, whatever the order or set of fields, a directive block again
 * mid-file after a restart, CRLF or LF line ends (docs/reference.md §5.1, §6.2).
 */
export interface W3cRow {
  /** 1-based line number in the file. */
  line: number;
  values: Record<string, string>;
  /** The `#Software` directive in force: IIS (W3SVC) or the HTTP API (HTTPERR). */
  software: string;
}

export interface W3cLog {
  rows: W3cRow[];
  /** Lines whose value count does not match the `#Fields` in force, with the reason. */
  skipped: { line: number; reason: string }[];
}

export function readW3cText(text: string): W3cLog {
  const out: W3cLog = { rows: [], skipped: [] };
  let fields: string[] | undefined;
  let software = '';
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line === '') return;
    if (i === lines.length - 1) {
      // IIS, http.sys and the lab end every line; one without an end was cut short mid-write, and
      // its last value may be cut too while the field count still matches (docs/artifacts.md).
      out.skipped.push({ line: i + 1, reason: 'no line end: a line cut short when its writer was killed mid-write; not read' });
      return;
    }
    if (line.startsWith('#')) {
      if (line.startsWith('#Fields:')) fields = line.slice('#Fields:'.length).trim().split(/\s+/);
      else if (line.startsWith('#Software:')) software = line.slice('#Software:'.length).trim();
      return;
    }
    if (!fields) {
      out.skipped.push({ line: i + 1, reason: 'a log line before any #Fields directive' });
      return;
    }
    // Real HTTPERR files may end a line with a space (docs/reference.md §6.3); that is not an extra field.
    const values = line.trimEnd().split(' ');
    if (values.length !== fields.length) {
      out.skipped.push({ line: i + 1, reason: `${values.length} values for ${fields.length} #Fields` });
      return;
    }
    out.rows.push({ line: i + 1, values: Object.fromEntries(fields.map((f, j) => [f, values[j]!])), software });
  });
  return out;
}

/** The row's instant (`date` and `time` are UTC, docs/reference.md §5.2), or NaN without them. */
export function rowTime(row: W3cRow): number {
  const { date, time } = row.values;
  return date && time ? Date.parse(`${date}T${time}Z`) : Number.NaN;
}

/** A field as a number, or undefined for `-` and absent fields. */
export function num(row: W3cRow, field: string): number | undefined {
  const v = row.values[field];
  if (v === undefined || v === '-' || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}
