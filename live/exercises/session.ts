import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { ApiError } from '../api-error.ts';
import { LiveLab } from '../live-lab.ts';
import { teachingFarm, TEACHING_MEMBERS } from '../teaching-farm.ts';
import { CAUSES, EXERCISES, FIXES, type Exercise, type Step } from './catalog.ts';
import { outcomeOf, runSteps } from './steps.ts';

export const answerSchema = z
  .object({
    learner: z.string().min(1).max(60).default('anonymous'),
    cause: z.string().min(1),
    fix: z.string().min(1),
    /** The number a fix takes (seconds for a time-out, a queue length). */
    value: z.number().positive().optional(),
  })
  .strict();

export interface Verdict {
  correct: boolean;
  causeCorrect: boolean;
  /** What the replay after the learner's fix showed, request by request. */
  replay: string[];
  fixWorked: boolean;
  message: string;
}

interface Attempt {
  at: string;
  cause: string;
  fix: string;
  value: number | undefined;
  verdict: Verdict;
}

/** Puts the teaching farm back as it starts, whatever an earlier exercise or switch changed. */
const RESET: Step[] = [
  { script: Object.fromEntries(TEACHING_MEMBERS.map((m) => [m, []])) },
  { offline: Object.fromEntries(TEACHING_MEMBERS.map((m) => [m, false])) },
  { availability: Object.fromEntries(TEACHING_MEMBERS.map((m) => [m, 'Available'])) },
  { health: Object.fromEntries(TEACHING_MEMBERS.map((m) => [m, 'healthy'])) },
  { leak: Object.fromEntries(TEACHING_MEMBERS.map((m) => [m, 0])) },
  { appPool: Object.fromEntries(TEACHING_MEMBERS.map((m) => [m, 'Started'])) },
  { httpSys: Object.fromEntries(TEACHING_MEMBERS.map((m) => [m, { concurrency: 5000, queueLength: 1000 }])) },
  { timeout: '30s' },
];

/**
 * The guided exercises of one lab: which one runs, each learner's attempts and hints. An answer
 * is checked for real: a fresh teaching farm (compressed time) gets the exercise's setup, then
 * the learner's fix, then the symptom's traffic again; the fix works if the replay meets the
 * exercise's success rule. A right answer is then applied to the live lab too, so the class sees
 * the requests turn green.
 */
export class Exercises {
  private current: string | undefined;
  private readonly attempts = new Map<string, Map<string, Attempt[]>>();
  private readonly hintsSeen = new Map<string, Map<string, number>>();

  constructor(private readonly checkScale = 0.001) {}

  list(withAnswers: boolean) {
    return {
      current: this.current,
      causes: CAUSES,
      fixes: FIXES.map(({ id, text, value }) => ({ id, text, value })),
      exercises: EXERCISES.map((e) => ({
        name: e.name, title: e.title, symptom: e.symptom, traffic: e.traffic, hints: e.hints.length, success: e.success.text,
        ...(withAnswers ? { cause: e.cause, fix: e.fix, answer: e.answer } : {}),
      })),
    };
  }

  /** Sets the live lab up for the exercise and sends its traffic once, so the symptom shows. */
  async start(name: string, live: LiveLab): Promise<{ started: string; outcomes: string[] }> {
    const exercise = find(name);
    await runSteps(live, [...RESET, ...exercise.setup]);
    this.current = name;
    const outcomes = (await runSteps(live, exercise.traffic)).map(outcomeOf);
    return { started: name, outcomes };
  }

  hint(name: string, learner: string, n: number): { hint: string; of: number } {
    const exercise = find(name);
    if (n >= exercise.hints.length) throw new ApiError(404, `exercise ${name} has ${exercise.hints.length} hints (0-${exercise.hints.length - 1})`);
    const seen = this.hintsSeen.get(name) ?? new Map<string, number>();
    seen.set(learner, Math.max(seen.get(learner) ?? 0, n + 1));
    this.hintsSeen.set(name, seen);
    return { hint: exercise.hints[n]!, of: exercise.hints.length };
  }

  async answer(name: string, raw: unknown, live: LiveLab): Promise<Verdict> {
    const exercise = find(name);
    const parsed = answerSchema.safeParse(raw);
    if (!parsed.success) throw ApiError.invalid(parsed.error);
    const a = parsed.data;
    if (!CAUSES.some((c) => c.id === a.cause)) throw new ApiError(400, `cause: unknown "${a.cause}"`, [{ path: 'cause', message: `one of ${CAUSES.map((c) => c.id).join(', ')}` }]);
    const fix = FIXES.find((f) => f.id === a.fix);
    if (!fix) throw new ApiError(400, `fix: unknown "${a.fix}"`, [{ path: 'fix', message: `one of ${FIXES.map((f) => f.id).join(', ')}` }]);
    const fixSteps = fix.steps(a.value);
    const replay = await this.check(exercise, fixSteps);
    const causeCorrect = a.cause === exercise.cause;
    const correct = causeCorrect && replay.worked;
    const verdict: Verdict = {
      correct, causeCorrect, replay: replay.outcomes, fixWorked: replay.worked,
      message: correct
        ? `Right: ${exercise.success.text} after the fix.`
        : !replay.worked
          ? `The lab applied your fix and replayed the traffic: ${replay.outcomes.join(', ')} — ${exercise.success.text} did not hold.`
          : 'Your fix works, but the cause you named is not what broke it: look at the artifacts again.',
    };
    const byLearner = this.attempts.get(name) ?? new Map<string, Attempt[]>();
    byLearner.set(a.learner, [...(byLearner.get(a.learner) ?? []), { at: new Date().toISOString(), cause: a.cause, fix: a.fix, value: a.value, verdict }]);
    this.attempts.set(name, byLearner);
    if (correct && this.current === name) await runSteps(live, [...fixSteps, ...exercise.traffic]);
    return verdict;
  }

  trainerView() {
    return {
      current: this.current,
      exercises: EXERCISES.map((e) => ({
        name: e.name, title: e.title, cause: e.cause, fix: e.fix, answer: e.answer,
        learners: [...(this.attempts.get(e.name) ?? new Map<string, Attempt[]>())].map(([learner, attempts]) => ({
          learner, attempts: attempts.length, solved: attempts.some((t) => t.verdict.correct),
          hints: this.hintsSeen.get(e.name)?.get(learner) ?? 0, last: attempts.at(-1),
        })),
      })),
    };
  }

  /** Applies the fix in a fresh teaching farm and replays the traffic; that lab is gone afterwards. */
  async check(exercise: Exercise, fixSteps: Step[]): Promise<{ worked: boolean; outcomes: string[] }> {
    const root = await mkdtemp(join(tmpdir(), `arr-lab-check-${exercise.name}-`));
    const lab = await LiveLab.start(teachingFarm(), { root, timeScale: this.checkScale, ringSize: 200 });
    try {
      await runSteps(lab, exercise.setup);
      try {
        await runSteps(lab, fixSteps);
      } catch (err) {
        if (err instanceof ApiError) return { worked: false, outcomes: [`the fix could not be applied: ${err.message}`] };
        throw err;
      }
      const results = await runSteps(lab, exercise.traffic);
      await lab.lab.settle();
      return { worked: exercise.success.holds(results, lab), outcomes: results.map(outcomeOf) };
    } finally {
      await lab.stop();
      await rm(root, { recursive: true, force: true });
    }
  }
}

function find(name: string): Exercise {
  const e = EXERCISES.find((x) => x.name === name);
  if (!e) throw new ApiError(404, `no exercise "${name}" (exercises: ${EXERCISES.map((x) => x.name).join(', ')})`);
  return e;
}
