/**
 * The order and names in which IIS holds a request's headers: the headers http.sys knows (the
 * `HTTP_HEADER_ID` request headers of http.h, in enum order, under their canonical names) come
 * first, then every other header in arrival order under the name it arrived with. This is the
 * order of the member's GENERAL_REQUEST_HEADERS in the reference's ARR sample (§7.5: Connection,
 * Content-Length, Accept, Accept-Encoding, Accept-Language, Host, Max-Forwards, User-Agent, then
 * X-Original-URL, X-Forwarded-For, X-ARR-LOG-ID), and the order ARR hands them to WinHTTP.
 */
export const KNOWN_REQUEST_HEADERS = [
  'Cache-Control', 'Connection', 'Date', 'Keep-Alive', 'Pragma', 'Trailer', 'Transfer-Encoding', 'Upgrade', 'Via', 'Warning',
  'Allow', 'Content-Length', 'Content-Type', 'Content-Encoding', 'Content-Language', 'Content-Location', 'Content-MD5',
  'Content-Range', 'Expires', 'Last-Modified', 'Accept', 'Accept-Charset', 'Accept-Encoding', 'Accept-Language',
  'Authorization', 'Cookie', 'Expect', 'From', 'Host', 'If-Match', 'If-Modified-Since', 'If-None-Match', 'If-Range',
  'If-Unmodified-Since', 'Max-Forwards', 'Proxy-Authorization', 'Referer', 'Range', 'TE', 'Translate', 'User-Agent',
] as const;

/** Rank by lower-case name, and by the canonical spelling most headers already have. */
const KNOWN_INDEX = new Map<string, number>(KNOWN_REQUEST_HEADERS.flatMap((name, i) => [[name.toLowerCase(), i] as const, [name, i] as const]));

export type HeaderPair = [name: string, value: string];

/** Pairs from a flat `[name, value, name, value, ...]` list (Node's and undici's raw headers). */
export function pairsOf(raw: readonly string[]): HeaderPair[] {
  const out: HeaderPair[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}

export function inIisOrder(pairs: readonly HeaderPair[]): HeaderPair[] {
  const known: HeaderPair[] = [];
  const ranks: number[] = [];
  const unknown: HeaderPair[] = [];
  for (const pair of pairs) {
    const name = pair[0];
    const rank = KNOWN_INDEX.get(name) ?? KNOWN_INDEX.get(name.toLowerCase());
    if (rank === undefined) {
      unknown.push(pair);
      continue;
    }
    const canonical = KNOWN_REQUEST_HEADERS[rank]!;
    // A pair already under its canonical name is kept as it is (pairs are never changed in place).
    const entry: HeaderPair = name === canonical ? pair : [canonical, pair[1]];
    // Insertion keeps arrival order among equal ranks; a request has a handful of known headers.
    let at = known.length;
    while (at > 0 && ranks[at - 1]! > rank) at--;
    if (at === known.length) {
      known.push(entry);
      ranks.push(rank);
    } else {
      known.splice(at, 0, entry);
      ranks.splice(at, 0, rank);
    }
  }
  for (const pair of unknown) known.push(pair);
  return known;
}

/** The `Headers` text of GENERAL_REQUEST_HEADERS: `Name: value` lines, each ending in CRLF. */
export function headerBlock(pairs: readonly HeaderPair[]): string {
  return inIisOrder(pairs).map(([name, value]) => `${name}: ${value}\r\n`).join('');
}
