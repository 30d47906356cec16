import ms from 'ms';

/**
 * Durations in the lab are nominal milliseconds. They are written either as IIS timeSpan values
 * (`00:00:30`, `1.00:00:00`, `00:00:00.5`), as human durations (`45s`, `1.5m`, `250ms`), or as a
 * plain number of milliseconds.
 */
const TIMESPAN = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/;

export function parseTimeSpan(text: string): number | undefined {
  const m = TIMESPAN.exec(text.trim());
  if (!m) return undefined;
  const [, days, hh, mm, ss, frac] = m;
  if (Number(mm) > 59 || Number(ss) > 59 || Number(hh) > 23) return undefined;
  const fraction = frac ? Number(`0.${frac}`) : 0;
  return ((Number(days ?? 0) * 24 + Number(hh)) * 3600 + Number(mm) * 60 + Number(ss) + fraction) * 1000;
}

export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? value : undefined;
  const span = parseTimeSpan(value);
  if (span !== undefined) return span;
  const trimmed = value.trim();
  if (!/^\d+(\.\d+)?\s*[a-z]+$/i.test(trimmed)) return undefined;
  const parsed = ms(trimmed as ms.StringValue);
  return typeof parsed === 'number' && Number.isFinite(parsed) && parsed >= 0 ? parsed : undefined;
}

/** `30000` → `00:00:30`, the form IIS writes and the UI shows. */
export function formatTimeSpan(millis: number): string {
  const total = Math.round(millis / 1000);
  const days = Math.floor(total / 86400);
  const rest = total % 86400;
  const hh = String(Math.floor(rest / 3600)).padStart(2, '0');
  const mm = String(Math.floor((rest % 3600) / 60)).padStart(2, '0');
  const ss = String(rest % 60).padStart(2, '0');
  return `${days > 0 ? `${days}.` : ''}${hh}:${mm}:${ss}`;
}
