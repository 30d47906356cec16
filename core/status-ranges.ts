/**
 * Status-code lists as ARR's health settings write them: `200-399` (statusCodeMatch), `500-`
 * (liveTrafficFailureCodes, open-ended), and comma-separated lists of codes and ranges
 * (`200,302,400-499`; the comma form is an assumption, docs/reference.md §1.6).
 */
const PART = /^\s*(\d{3})\s*(?:(-)\s*(\d{3})?)?\s*$/;

export function parseStatusRanges(text: string): ((status: number) => boolean) | string {
  const ranges: [number, number][] = [];
  for (const part of text.split(',')) {
    const m = PART.exec(part);
    if (!m) return `"${part.trim()}" is not a status code or range (use 200-399, 500- or 200,302)`;
    const from = Number(m[1]);
    const to = m[2] ? (m[3] ? Number(m[3]) : 999) : from;
    if (from < 100 || to > 999 || to < from) return `"${part.trim()}" is outside 100-999 or reversed`;
    ranges.push([from, to]);
  }
  return (status) => ranges.some(([a, b]) => status >= a && status <= b);
}
