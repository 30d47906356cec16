let second = Number.NaN;
let text = '';

/**
 * The Date header's value for a nominal instant (RFC 9110 §5.6.7, one-second resolution). The
 * text only changes once a second, so it is made once per second rather than per response.
 */
export function httpDate(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s !== second) {
    second = s;
    text = new Date(s * 1000).toUTCString();
  }
  return text;
}
