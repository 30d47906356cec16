import { describe, expect, it } from 'vitest';
import { behaviours } from '../backends/behaviours/index.ts';
import { behaviourOptions } from '../lab/cli/behaviour-options.ts';

describe('arr-lab list --behaviours', () => {
  it("shows each behaviour's options, read from its schema", () => {
    const shown = Object.fromEntries(behaviours.map((b) => [b.name, behaviourOptions(b)]));
    expect(shown.respond).toContain('status=200 (integer 100–999)');
    expect(shown.respond).toContain('bodyBytes');
    expect(shown.sleep).toBe('a duration (e.g. sleep: 45s)');
    expect(shown['send-raw']).toContain('then=reset|close (default reset)');
    expect(shown['flush-then-close']).toContain('closeAfter (duration)');
    expect(shown['close-without-response']).toBe('no options');
    for (const b of behaviours) expect(shown[b.name], b.name).not.toBe('');
  });
});
