import { ANSWERS } from '../../iis/http-sys/answers.ts';
import { MALFORMED_REQUESTS } from '../../iis/http-sys/malformed-requests.ts';

/** Bytes shown readably: CR, LF, NUL and other non-printables escaped, long runs shortened. */
function shown(bytes: string): string {
  const text = bytes
    .replace(/(.)\1{40,}/g, (run, c: string) => `${c}×${run.length}`)
    .replace(/(\/a){40,}/g, (run) => `/a×${run.length / 2}`)
    .replace(/(X-\d+: \d+\r\n){4,}/g, (run) => `X-<n>: <n>\\r\\n×${run.split('\r\n').length - 1}`)
    .replace(/[\x00-\x1f\x7f-\xff|`]/g, (c) => ({ '\r': '\\r', '\n': '\\n', '\t': '\\t', '|': '\\|', '`': "'" })[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return text.length > 110 ? `${text.slice(0, 107)}...` : text;
}

/**
 * The guide's table of malformed requests (docs/http-sys-front.md), generated from the same rows
 * the tests send, so it cannot drift (test/docs.test.ts compares it; `npx tsx scripts/malformed-table.ts` prints it).
 */
export function malformedTable(): string {
  const rows = ['| class | bytes sent | answer | HTTPERR (cs-version cs-method cs-uri … s-reason) | evidence |', '|---|---|---|---|---|'];
  for (const r of MALFORMED_REQUESTS) {
    const e = r.expect;
    const settings = r.settings ? ` (with ${Object.entries(r.settings).map(([k, v]) => `\`${k}: ${v}\``).join(', ')})` : '';
    const answer =
      e.kind === 'httperr'
        ? `${ANSWERS[e.answer].status} ${ANSWERS[e.answer].heading}`
        : e.bodyOnly
          ? `the page's body alone, no status line (W3SVC ${e.status})`
          : `${e.interim ? '100, then ' : ''}${e.status} from the page (W3SVC line)`;
    const line = e.kind === 'w3c' ? '—' : `\`${e.fields.join(' ')} ${ANSWERS[e.answer].status} ${e.routed ? '1' : '-'} ${e.reason} ${e.routed ? 'DefaultAppPool' : '-'}\``;
    rows.push(`| \`${r.id}\`: ${r.what}${settings} | \`${shown(r.bytes)}\` | ${answer} | ${line} | ${r.evidence}: ${r.why} |`);
  }
  return rows.join('\n');
}
