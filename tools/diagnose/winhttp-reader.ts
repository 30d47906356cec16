/**
 * WinHTTP ETW trace lines as Network Monitor shows their message column (docs/reference.md §8): the
 * mapping line names the Win32/Winsock cause and the WinHTTP error it became.
 */
export interface WinHttpFailure {
  /** Milliseconds since midnight UTC (the trace carries the time of day only). */
  timeOfDay: number;
  cause: string;
  causeCode: number;
  winhttp: string;
  winhttpCode: number;
  /** What WinHTTP was doing, from the `failed to …` line before the mapping (absent in older captures). */
  stage: 'resolve' | 'send' | 'receive-headers' | 'receive-body' | undefined;
  line: number;
}

const STAGES: [RegExp, WinHttpFailure['stage']][] = [
  [/failed to resolve server name/, 'resolve'],
  [/failed to send request/, 'send'],
  [/failed to receive headers/, 'receive-headers'],
  [/failed to receive entity body/, 'receive-body'],
]

const MAPPED = /^WINHTTP_\w+:(\d{2}):(\d{2}):(\d{2})\.(\d{3}) ::ERROR_WINHTTP_FROM_WIN32 mapped \(([^)]*)\) (\d+) to \(([^)]*)\) (\d+)/;

export function readWinHttpTrace(text: string): WinHttpFailure[] {
  const out: WinHttpFailure[] = [];
  let stage: WinHttpFailure['stage'];
  text.split('\n').forEach((raw, i) => {
    const failed = STAGES.find(([re]) => re.test(raw));
    if (failed) stage = failed[1];
    const m = MAPPED.exec(raw.trim());
    if (!m) return;
    const [, h, min, s, ms, cause, causeCode, winhttp, winhttpCode] = m;
    out.push({
      timeOfDay: ((Number(h) * 60 + Number(min)) * 60 + Number(s)) * 1000 + Number(ms),
      cause: cause!, causeCode: Number(causeCode), winhttp: winhttp!, winhttpCode: Number(winhttpCode), stage, line: i + 1,
    });
    stage = undefined;
  });
  return out;
}
