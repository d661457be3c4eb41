// Evaluation on environments: eval_episodes held-out episodes per environment (seeds from 2^30 up, which
// training never draws), greedy, with the current adapter. Returns an EvalResult like the dataset eval
// (accuracy = success rate over all episodes, with its Jeffreys 80% interval) plus the EpisodeRecords,
// and the per-environment figures of src/env/eval-stats.ts (`environments`, and eval_env/<name>/... metrics).
//
//   const r = await evaluateEnvs(ctx, step)   // r.accuracy, r.episodes, r.metrics['eval_env/grid_world/success_rate']
import { Rng } from './rng.ts';
import type { EvalContext, EvalExample, EvalResult } from './evaluate.ts';
import { playEpisodes, type EnvRunDeps } from './env-rollout.ts';
import { EVAL_SEED_BASE } from './env-step.ts';
import { jeffreysInterval, mean, median, std } from './stats.ts';
import { envEvalMetrics, envEvalSummary } from '../env/eval-stats.ts';

export async function evaluateEnvs(ctx: EvalContext & { envs: EnvRunDeps }, step: number): Promise<EvalResult> {
  const { environment: e, run, sampling } = ctx.config;
  const rng = new Rng((run.seed * 1_000_003 + step * 7919 + 29) >>> 0); // greedy: only ties would read it
  const starts = e.envs.flatMap((s) =>
    Array.from({ length: e.eval_episodes }, (_, i) => ({ env: s.name, seed: EVAL_SEED_BASE + i })),
  );
  const batch = Math.max(1, run.prompts_per_step * sampling.num_generations);
  const eps = [];
  for (let i = 0; i < starts.length; i += batch) {
    eps.push(...(await playEpisodes({ ...ctx, rng, onProgress: undefined }, starts.slice(i, i + batch), 0)));
    ctx.onProgress?.(Math.min(starts.length, i + batch), starts.length);
  }
  const records = eps.map((x) => x.record);
  const examples: EvalExample[] = eps.map((x) => ({
    prompt: `${x.record.env} #${x.record.seed}: ${x.observations[0]}`,
    row: { env: x.record.env, seed: x.record.seed },
    completions: [ctx.codec.decode(x.completionIds)],
    scores: [x.record.return],
    correct: x.record.success ? 1 : 0,
  }));
  const hits = records.filter((r) => r.success).length,
    n = records.length;
  const interval = jeffreysInterval(hits, n);
  const returns = records.map((r) => r.return);
  const metrics: Record<string, number> = {
    eval_accuracy: n ? hits / n : 0,
    eval_accuracy_low: interval[0],
    eval_accuracy_high: interval[1],
    eval_score_mean: mean(returns),
    eval_score_median: median(returns),
    eval_score_std: std(returns),
    eval_reward: mean(returns),
    eval_turns_mean: mean(records.map((r) => r.turns)),
  };
  const environments = envEvalSummary(records);
  Object.assign(metrics, envEvalMetrics(environments));
  return {
    step,
    n,
    k: 1,
    accuracy: metrics.eval_accuracy,
    interval,
    metrics,
    examples,
    episodes: records,
    environments,
    time: Date.now(),
  };
}
