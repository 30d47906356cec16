import { performance } from 'node:perf_hooks';
import { startChild } from './children.ts';
import { spread, type Spread } from './stats.ts';

export interface TimeCompressionConfig {
  rounds: number;
  timeScale: number;
  /** No new round starts after this much wall time. */
  budgetMs: number;
}

export const TARGET_CATALOG_WALL_S = 10;

export interface TimeCompressionResult {
  config: TimeCompressionConfig;
  scenarios: number;
  /** Scenarios whose expectations all held, per round. */
  passed: Spread;
  failed: string[];
  nominalS: number;
  wallS: Spread;
  ratio: Spread;
  slowest: { name: string; nominalS: number; wallMs: Spread }[];
}

interface Round {
  wallMs: number;
  scenarios: { name: string; passed: boolean; nominalMs: number; wallMs: number }[];
}

/**
 * Part 2: the whole catalog, round after round in one child process (bench/hosts/catalog.ts);
 * nominal time is what the scenarios model (the lab clock's elapsed time in each), wall time is
 * the round's, file loading included.
 */
export async function timeCompression(config: TimeCompressionConfig, tmp: string, log: (s: string) => void): Promise<TimeCompressionResult> {
  const started = performance.now();
  const child = await startChild('catalog', { root: tmp, timeScale: config.timeScale });
  const rounds: Round[] = [];
  try {
    for (let i = 0; i < config.rounds && (i === 0 || performance.now() - started < config.budgetMs); i++) {
      const r = await child.ask<Round>('round');
      rounds.push(r);
      const nominalMs = r.scenarios.reduce((a, s) => a + s.nominalMs, 0);
      log(`  round ${i + 1}: ${r.scenarios.length} scenarios (${r.scenarios.filter((s) => s.passed).length} passed), ` +
        `${(nominalMs / 1000).toFixed(1)} s nominal in ${(r.wallMs / 1000).toFixed(2)} s wall`);
    }
  } finally {
    await child.stop();
  }
  const nominal = (r: Round) => r.scenarios.reduce((a, s) => a + s.nominalMs, 0);
  const names = rounds[0]!.scenarios.map((s) => s.name);
  const of = (name: string) => rounds.map((r) => r.scenarios.find((s) => s.name === name)!);
  return {
    config,
    scenarios: names.length,
    passed: spread(rounds.map((r) => r.scenarios.filter((s) => s.passed).length)),
    failed: [...new Set(rounds.flatMap((r) => r.scenarios.filter((s) => !s.passed).map((s) => s.name)))],
    nominalS: spread(rounds.map(nominal)).median / 1000,
    wallS: spread(rounds.map((r) => r.wallMs / 1000)),
    ratio: spread(rounds.map((r) => nominal(r) / r.wallMs)),
    slowest: names
      .map((name) => ({ name, nominalS: spread(of(name).map((s) => s.nominalMs)).median / 1000, wallMs: spread(of(name).map((s) => s.wallMs)) }))
      .sort((a, b) => b.wallMs.median - a.wallMs.median)
      .slice(0, 5),
  };
}
