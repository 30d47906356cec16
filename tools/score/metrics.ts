import type { Bundle } from '../../lab/fixture-index/schema.ts';
import { bundleClassOf, type Answer } from './protocol.ts';

/** Stands for a bundle the tool gave no usable answer for. */
export const NO_ANSWER = '(no answer)';

export interface Outcome {
  bundle: string;
  truth: string;
  predicted: string;
  /** Request outcomes: every labelled request of the bundle. */
  requests: { key: string; truth: string; predicted: string }[];
  error?: string;
}

/**
 * Compares one answer with one bundle's labels. A request the answer does not name is predicted
 * healthy (tools report what failed); the bundle's prediction is the answer's `bundle`, else the
 * most frequent fault class among its request answers, else healthy.
 */
export function judge(bundle: Bundle, answer: Answer | undefined, error?: string): Outcome {
  if (!answer) {
    return {
      bundle: bundle.name, truth: bundle.diagnosis.class, predicted: NO_ANSWER, error,
      requests: bundle.requests.map((r) => ({ key: r.key, truth: r.class, predicted: NO_ANSWER })),
    };
  }
  const byKey = new Map<string, string>();
  const byLogId = new Map<string, string>();
  for (const r of answer.requests ?? []) {
    if (r.key) byKey.set(r.key, r.class);
    if (r.arrLogId) byLogId.set(r.arrLogId.toLowerCase(), r.class);
  }
  const requests = bundle.requests.map((r) => ({
    key: r.key, truth: r.class,
    predicted: byKey.get(r.key) ?? (r.arrLogId ? byLogId.get(r.arrLogId.toLowerCase()) : undefined) ?? 'healthy',
  }));
  const counts = new Map<string, number>();
  for (const r of answer.requests ?? []) if (r.class !== 'healthy') counts.set(r.class, (counts.get(r.class) ?? 0) + 1);
  const majority = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  return { bundle: bundle.name, truth: bundle.diagnosis.class, predicted: bundleClassOf(answer) ?? majority ?? 'healthy', requests, ...(error && { error }) };
}

export interface ClassScore {
  class: string;
  support: number;
  predicted: number;
  truePositives: number;
  precision: number | null;
  recall: number | null;
}

export interface Scores {
  /** confusion[truth][predicted] = count. */
  confusion: Record<string, Record<string, number>>;
  classes: ClassScore[];
  total: number;
  correct: number;
  accuracy: number;
}

export function score(pairs: readonly { truth: string; predicted: string }[]): Scores {
  const confusion: Record<string, Record<string, number>> = {};
  for (const { truth, predicted } of pairs) {
    confusion[truth] ??= {};
    confusion[truth][predicted] = (confusion[truth][predicted] ?? 0) + 1;
  }
  const names = [...new Set(pairs.flatMap((p) => [p.truth, p.predicted]))].sort();
  const classes = names.map((c) => {
    const support = pairs.filter((p) => p.truth === c).length;
    const predicted = pairs.filter((p) => p.predicted === c).length;
    const truePositives = pairs.filter((p) => p.truth === c && p.predicted === c).length;
    return { class: c, support, predicted, truePositives, precision: predicted ? truePositives / predicted : null, recall: support ? truePositives / support : null };
  });
  const correct = pairs.filter((p) => p.truth === p.predicted).length;
  return { confusion, classes, total: pairs.length, correct, accuracy: pairs.length ? correct / pairs.length : 1 };
}
