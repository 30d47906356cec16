import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXERCISES, FIXES, type Step } from '../live/exercises/catalog.ts';
import { Exercises } from '../live/exercises/session.ts';
import { outcomeOf, runSteps } from '../live/exercises/steps.ts';
import { LiveLab } from '../live/live-lab.ts';
import { teachingFarm } from '../live/teaching-farm.ts';

const checker = new Exercises();
const fixSteps = (id: string, value?: number): Step[] => FIXES.find((f) => f.id === id)!.steps(value);

/** What the symptom traffic meets before any fix, in a fresh teaching farm. */
async function symptom(name: string): Promise<string[]> {
  const exercise = EXERCISES.find((e) => e.name === name)!;
  const root = await mkdtemp(join(tmpdir(), 'arr-lab-ex-'));
  const live = await LiveLab.start(teachingFarm(), { root, timeScale: 0.001 });
  try {
    await runSteps(live, exercise.setup);
    return (await runSteps(live, exercise.traffic)).map(outcomeOf);
  } finally {
    await live.stop();
    await rm(root, { recursive: true, force: true });
  }
}

/** Each exercise: the symptom is the fault's, the right fix clears it on replay, a plausible wrong fix does not. */
const CASES: { name: string; symptom: RegExp; wrong: [string, number?] }[] = [
  { name: 'slow-page', symptom: /^502\.3 0x80072ee2$/, wrong: ['raise-timeout', 40] },
  { name: 'response-close', symptom: /^502\.3 0x80072efe$/, wrong: ['raise-timeout', 120] },
  { name: 'partial-flush', symptom: /^502\.3 0x80072f78$/, wrong: ['make-available'] },
  { name: 'all-members-down', symptom: /^502\.4 0x00000000$/, wrong: ['set-healthy'] },
  { name: 'connect-timeout', symptom: /^502\.3 0x80072ee2$/, wrong: ['raise-timeout', 120] },
  { name: 'queue-full', symptom: /^(200|503)$/, wrong: ['raise-timeout', 120] },
  { name: 'live-traffic-health', symptom: /^200$/, wrong: ['set-healthy'] },
  { name: 'connections-refused', symptom: /^502\.3 0x80072efe$/, wrong: ['recycle-pool'] },
];

describe('guided exercises, checked by replaying traffic', () => {
  it('there are at least eight, each with hints and a known fix', () => {
    expect(EXERCISES.length).toBeGreaterThanOrEqual(8);
    for (const e of EXERCISES) {
      expect(e.hints.length).toBeGreaterThan(0);
      expect(FIXES.some((f) => f.id === e.fix)).toBe(true);
    }
    expect(CASES.map((c) => c.name).sort()).toEqual(EXERCISES.map((e) => e.name).sort());
  });

  for (const c of CASES) {
    it(`${c.name}: symptom, wrong fix refused, right fix accepted`, async () => {
      const exercise = EXERCISES.find((e) => e.name === c.name)!;
      const seen = await symptom(c.name);
      expect(seen.every((o) => c.symptom.test(o)), seen.join(', ')).toBe(true);
      if (c.name === 'queue-full') expect(seen.filter((o) => o === '503')).toHaveLength(2);
      const wrong = await checker.check(exercise, fixSteps(...c.wrong));
      expect(wrong.worked, wrong.outcomes.join(', ')).toBe(false);
      const right = await checker.check(exercise, fixSteps(exercise.fix, exercise.fix === 'raise-queue' ? 20 : undefined));
      expect(right.worked, right.outcomes.join(', ')).toBe(true);
    });
  }
});
