import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { exportFixtures } from '../../lab/fixture-index/export.ts';
import { fixtureIndexSchema, type FixtureIndex } from '../../lab/fixture-index/schema.ts';
import { judge, score, type Outcome, type Scores } from './metrics.ts';
import { parseAnswer } from './protocol.ts';
import { junitXml } from './junit.ts';
import { pool, runTool, toolCommand } from './run-tool.ts';
import { InputError } from '../../core/input-error.ts';

export interface ScoreOptions {
  tool: string;
  /** An existing `arr-lab fixtures` output; without it the fixtures are exported to a temporary folder. */
  fixtures?: string;
  suite: string[];
  seed: number;
  set: 'tuning' | 'held-out';
  junit?: string;
  /** Tool runs at once (the tool is an external command: mostly waiting on its process). */
  parallel: number;
  timeoutMs: number;
}

export interface ScoreReport {
  tool: string;
  fixtures: string;
  seed: number;
  set: string;
  bundles: number;
  seconds: number;
  /** Every labelled request, healthy ones included. */
  requests: Scores;
  /** Requests whose label is a fault: the share the tool named correctly is the headline figure. */
  failing: { total: number; correct: number; accuracy: number };
  bundleScores: Scores;
  outcomes: Outcome[];
}

async function readIndex(dir: string): Promise<FixtureIndex> {
  const file = join(dir, 'index.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new InputError(`${file}: no fixture index (run arr-lab fixtures --out ${dir} first)`);
  }
  const parsed = fixtureIndexSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new InputError(`${file}: not a fixture index: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

async function exportedIndex(options: ScoreOptions, root: string): Promise<FixtureIndex> {
  const { index } = await exportFixtures({ targets: options.suite, out: root, seed: options.seed, set: options.set });
  if (!index) throw new Error('the fixture export wrote no index');
  return index;
}

/** `arr-lab score`: the tool over every bundle, its answers against the labels. */
export async function scoreTool(options: ScoreOptions): Promise<ScoreReport> {
  toolCommand(options.tool, '');
  const started = performance.now();
  const temporary = options.fixtures ? undefined : await mkdtemp(join(tmpdir(), 'arr-lab-score-'));
  try {
    const root = options.fixtures ? resolve(options.fixtures) : temporary!;
    const index = options.fixtures ? await readIndex(root) : await exportedIndex(options, root);
    const wanted = options.fixtures && !options.suite.includes('all') ? index.bundles.filter((b) => options.suite.some((s) => b.name === s || b.suites.includes(s))) : index.bundles;
    const outcomes = await pool(wanted, options.parallel, async (bundle) => {
      const run = await runTool(toolCommand(options.tool, join(root, bundle.name)), options.timeoutMs);
      const read = parseAnswer(run.stdout);
      if ('error' in read) return judge(bundle, undefined, `${read.error}${run.exitCode ? ` (exit ${run.exitCode}: ${run.stderr.trim().split('\n').at(-1) ?? ''})` : ''}`);
      return judge(bundle, read.answer);
    });
    const requests = outcomes.flatMap((o) => o.requests);
    const failing = requests.filter((r) => r.truth !== 'healthy');
    const correct = failing.filter((r) => r.truth === r.predicted).length;
    const seconds = (performance.now() - started) / 1000;
    if (options.junit) await writeFile(options.junit, junitXml(options.tool, outcomes, seconds));
    return {
      tool: options.tool, fixtures: options.fixtures ? root : '(temporary export)', seed: index.seed, set: index.bundles[0]?.set ?? options.set,
      bundles: outcomes.length, seconds,
      requests: score(requests),
      failing: { total: failing.length, correct, accuracy: failing.length ? correct / failing.length : 1 },
      bundleScores: score(outcomes.map((o) => ({ truth: o.truth, predicted: o.predicted }))),
      outcomes,
    };
  } finally {
    if (temporary) await rm(temporary, { recursive: true, force: true });
  }
}
