// Accuracy on held-out examples: greedy decoding (k = 1) or pass@1 over k samples at the training
// temperature, scored by the run's rewards. An answer is correct when the eval reward (run.eval_reward,
// default the first reward) scores at least run.eval_threshold. Eval has its own random generator, seeded
// by the run seed and the step, so evaluating never changes what training samples next.
//
//   const r = await evaluate(ctx, heldOut, step)   // r.accuracy, r.interval (Jeffreys 80%), r.metrics.eval_*
import { Rng } from './rng.ts';
import { generate, type Codec, type Example, type Scorer } from './rollout.ts';
import type { CausalLM } from './model/model.ts';
import type { LoraAdapter } from './lora.ts';
import type { Compute } from './ops/ops.ts';
import type { RunConfig } from './config.ts';
import { finite, jeffreysInterval, mean, median, std } from './stats.ts';
import type { EnvEvalSummary, EpisodeRecord } from '../env/types.ts';

export interface EvalExample {
  prompt: string;
  row: Record<string, unknown>;
  completions: string[]; // [k]
  scores: (number | null)[]; // [k] the eval reward's score
  correct: number; // fraction of the k completions that are correct
}

export interface EvalResult {
  step: number;
  n: number;
  k: number;
  accuracy: number;
  interval: [number, number]; // Jeffreys 80% interval of the accuracy
  metrics: Record<string, number>; // eval_accuracy, eval_accuracy_low/high, eval_score_mean/median/std, eval_reward
  examples: EvalExample[];
  /** Environment runs: every evaluation episode (per-environment statistics are computed from them). */
  episodes?: EpisodeRecord[];
  time: number;
  /** Evaluation on environments: per-environment and aggregate figures (metrics then hold eval_env/<name>/...). */
  environments?: EnvEvalSummary;
}

export interface EvalContext {
  model: CausalLM;
  lora: LoraAdapter;
  compute: Compute;
  codec: Codec;
  score: Scorer;
  config: RunConfig;
  progress: number;
  onProgress?: (done: number, total: number) => void;
}

export async function evaluate(ctx: EvalContext, examples: Example[], step: number): Promise<EvalResult> {
  const { run, sampling } = ctx.config,
    k = run.eval_num_samples;
  const which = run.eval_reward ? ctx.config.rewards.findIndex((r) => r.name === run.eval_reward) : 0;
  const rng = new Rng((run.seed * 1_000_003 + step * 7919 + 17) >>> 0);
  const perBatch = Math.max(1, Math.floor((run.prompts_per_step * sampling.num_generations) / k));
  const out: EvalExample[] = [],
    totals: number[] = [];
  ctx.onProgress?.(0, examples.length);
  for (let i = 0; i < examples.length; i += perBatch) {
    const part = examples.slice(i, i + perBatch);
    const gen = await generate({ ...ctx, rng, onProgress: undefined }, part, k, k === 1 ? 0 : sampling.temperature);
    totals.push(...finite(gen.rewards));
    part.forEach((ex, j) => {
      const rows = Array.from({ length: k }, (_, c) => j * k + c);
      const scores = rows.map((r) => gen.scores[r][which] ?? null);
      const correct = mean(scores.map((s) => (s !== null && s >= run.eval_threshold ? 1 : 0)));
      out.push({ prompt: ex.prompt, row: ex.row, completions: rows.map((r) => gen.texts[r]), scores, correct });
    });
    ctx.onProgress?.(Math.min(examples.length, i + perBatch), examples.length);
  }
  const n = out.length,
    hits = out.reduce((a, e) => a + e.correct * k, 0);
  const accuracy = n ? hits / (n * k) : 0;
  const interval = jeffreysInterval(Math.round(hits), n * k);
  const scores = finite(out.flatMap((e) => e.scores));
  const metrics = {
    eval_accuracy: accuracy,
    eval_accuracy_low: interval[0],
    eval_accuracy_high: interval[1],
    eval_score_mean: mean(scores),
    eval_score_median: median(scores),
    eval_score_std: std(scores),
    eval_reward: mean(totals),
  };
  return { step, n, k, accuracy, interval, metrics, examples: out, time: Date.now() };
}
