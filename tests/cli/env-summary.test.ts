// Evaluation on environments as the CLI reports it: summary.json carries the baseline's and the final
// evaluation's per-environment figures, their flat eval_env/ metrics, and the terminal line names each
// environment's success rate.
import { describe, expect, it } from 'vitest';
import { evalLine, runSummary } from '../../src/cli/run-output.ts';
import { envEvalMetrics, envEvalSummary } from '../../src/env/eval-stats.ts';
import type { EpisodeRecord } from '../../src/env/types.ts';
import type { EvalResult } from '../../src/engine/evaluate.ts';

const ep = (env: string, ret: number, success: boolean): EpisodeRecord => ({
  env,
  seed: 1,
  rewards: [ret],
  return: ret,
  success,
  turns: 1,
  end: 'done',
});

/** An evaluation as the environment evaluator reports it: the summary, and its figures among the metrics. */
function envEval(step: number, episodes: EpisodeRecord[]): EvalResult {
  const environments = envEvalSummary(episodes);
  const a = environments.aggregate;
  return {
    step,
    n: a.n,
    k: 1,
    accuracy: a.accuracy,
    interval: a.interval,
    metrics: { eval_accuracy: a.accuracy, ...envEvalMetrics(environments) },
    examples: [],
    time: 0,
    environments,
  };
}

describe('summary.json with environments', () => {
  const baseline = envEval(0, [ep('grid_world', 0, false), ep('grid_world', 0.1, false), ep('crafting', 1.1, true)]);
  const final = envEval(8, [ep('grid_world', 1.2, true), ep('grid_world', 0.3, false), ep('crafting', 1.3, true)]);
  const s = JSON.parse(
    JSON.stringify(runSummary({ started: Date.now(), evals: [baseline, final], history: [], resumedFrom: 0 })),
  );

  it('has both evaluations per environment, and the aggregate', () => {
    expect(s.environments.baseline.per_env.map((r: { env: string }) => r.env)).toEqual(['crafting', 'grid_world']);
    const grid = s.environments.final.per_env[1];
    expect(grid).toMatchObject({ env: 'grid_world', n: 2, accuracy: 0.5, success_rate: 0.5, median: 0.75 });
    expect(grid.mean).toBeCloseTo(0.75, 12); // (1.2 + 0.3) / 2
    expect(grid.std).toBeCloseTo(0.45, 12); // |1.2 - 0.75|
    expect(s.environments.final.aggregate).toMatchObject({ env: 'all', n: 3 });
    expect(s.environments.final.aggregate.accuracy).toBeCloseTo(2 / 3, 12);
    expect(s.environments.baseline.aggregate.accuracy).toBeCloseTo(1 / 3, 12);
  });

  it('has the flat metrics of each evaluation', () => {
    const m = s.final_eval.metrics;
    expect(m['eval_env/grid_world/success_rate']).toBe(0.5);
    expect(m['eval_env/grid_world/return_mean']).toBeCloseTo(0.75, 12);
    expect(m['eval_env/crafting/episodes']).toBe(1);
    expect(m['eval_env/all/accuracy']).toBeCloseTo(2 / 3, 12);
    expect(s.baseline_eval.metrics['eval_env/grid_world/success_rate']).toBe(0);
  });

  it('leaves environments out of a run that plays none', () => {
    const plain = { ...final, environments: undefined };
    expect(runSummary({ started: Date.now(), evals: [plain], history: [], resumedFrom: 0 })).not.toHaveProperty(
      'environments',
    );
  });

  it('says each environment on the terminal', () => {
    expect(evalLine(final)).toBe(
      'eval @ step 8: accuracy 66.7% (n=3) | crafting 100.0% (return 1.300) | grid_world 50.0% (return 0.750)',
    );
  });
});
