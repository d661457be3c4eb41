// One RL step (GRPO and its estimators), top to bottom:
//   1. take prompts_per_step prompts and sample G completions of each          (rollout.ts)
//   2. score them with the weighted rewards (weights may follow a curriculum)
//   3. advantages within each group, or per token (vineppo, ppo)               (estimators/)
//   4. num_iterations (mu) passes over the batch in micro-batches: loss, backward with gradient
//      accumulation, clip the global norm, one AdamW update per pass            (step.ts, grpo.ts, optim.ts)
//   5. metrics under TRL's names                                               (step-metrics.ts)
//   (the step view's group is scored before and after the update, without gradients   (shown-group.ts))
//
//   const { values, samples, histograms, tokens } = await rlStep(trainer.stepContext())
import type { RunConfig } from './config.ts';
import type { LoraAdapter } from './lora.ts';
import type { Rng } from './rng.ts';
import { learningRateAt, type AdamW } from './optim.ts';
import { rollout, type Rollout } from './rollout.ts';
import { chunkLogprobs, makeChunks, type TrainRow } from './update.ts';
import { policyStep, type MicroBatch } from './step.ts';
import {
  advantagesOfAll,
  lengthValues,
  logEntries,
  rewardValues,
  updateValues,
  type UpdateSummary,
} from './step-metrics.ts';
import type { CompletionLogEntry, StepMetrics } from './metrics.ts';
import type { LossSettings } from './grpo.ts';
import { mean } from './stats.ts';
import type { AdvantageEstimator } from './estimators/index.ts';
import type { Compute } from './ops/index.ts';
import type { TrainerDeps } from './trainer.ts';
import { envStep } from './env-step.ts';
import { groupLogprobs, shownGroup } from './shown-group.ts';

/** What a step of either phase needs from the trainer (its state is the trainer's; steps only read it). */
export interface StepContext {
  config: RunConfig;
  deps: TrainerDeps;
  lora: LoraAdapter;
  compute: Compute;
  rng: Rng;
  optim: AdamW;
  estimator: AdvantageEstimator;
  /** Steps done before this one, SFT steps of the run, and the fraction of the run done. */
  step: number;
  sftSteps: number;
  progress: number;
}

/** One step's outcome; `tokens` is how many prompt and completion tokens it processed (for num_tokens). */
export interface PhaseResult {
  values: Record<string, number>;
  samples: CompletionLogEntry[];
  histograms?: StepMetrics['histograms'];
  tokens: number;
}

export async function rlStep(t: StepContext): Promise<PhaseResult> {
  if (t.config.environment.envs.length) return envStep(t); // multi-turn episodes instead of a dataset
  const c = t.config,
    G = c.sampling.num_generations;
  // 1-2. prompts -> G completions each -> weighted rewards (dynamic sampling may take several rounds)
  const ctx = { ...t.deps, lora: t.lora, compute: t.compute, rng: t.rng, config: c, progress: t.progress };
  const roll = await rollout(ctx, t.deps.train);
  // 3. advantages: within each group (grpo, rloo), per step from fresh rollouts (vineppo), or GAE on a value head (ppo)
  const base: TrainRow[] = roll.kept.completions.map((ids, r) => ({
    promptIds: roll.kept.examples[Math.floor(r / G)].promptIds.slice(-c.sampling.max_prompt_length),
    completionIds: ids,
    counts: !(c.grpo.mask_truncated_completions && roll.kept.finish[r] === 'length'), // DAPO overlong filtering
    advantage: 0,
  }));
  const lr = learningRateAt(
    (t.step - t.sftSteps) * c.grpo.num_iterations,
    c.run.max_steps * c.grpo.num_iterations,
    c.optim,
  );
  const { rows, perRow, values: estimated, histograms } = await t.estimator.estimate(ctx, roll.kept, base, lr);
  // 4. mu passes of micro-batched loss, backward, clip, AdamW (skipped when dynamic sampling kept nothing),
  //    with the step view's group scored on both sides of them (run.step_view_logprobs)
  const shown = shownGroup(roll.kept.rewards, G),
    shownRows = base.slice(shown * G, (shown + 1) * G),
    T = c.sampling.temperature > 0 ? c.sampling.temperature : 1;
  const before = c.run.step_view_logprobs && rows.length ? await groupLogprobs(t, shownRows, T) : null;
  const update = rows.length ? await policyUpdates(t, rows) : null;
  const after = before ? await groupLogprobs(t, shownRows, T) : null;
  // 5. metrics and the completions log
  const values = {
    ...rewardValues(c, roll),
    ...lengthValues(roll),
    ...updateValues(update, c.grpo),
    ...estimated,
    'tokens_per_second/sample': roll.sampledTokens / Math.max(1e-3, roll.sampleMs / 1000),
    rollout_time: roll.rolloutMs / 1000,
    generation_rounds: roll.rounds,
    num_groups: roll.kept.examples.length,
  };
  const all = advantagesOfAll(roll, perRow, G);
  return {
    values,
    samples: logEntries(
      c,
      roll,
      all,
      t.step + 1,
      before && after ? { group: roll.keptGroups[shown], before, after } : undefined,
    ),
    histograms: {
      ...histograms,
      advantages: perRow,
      rewards: roll.all.rewards.filter((r): r is number => r !== null),
    },
    tokens: countTokens(roll),
  };
}

/** mu passes of the policy loss over the rows' micro-batches, one AdamW update each. */
export async function policyUpdates(t: StepContext, rows: TrainRow[]): Promise<UpdateSummary> {
  const c = t.config,
    mu = c.grpo.num_iterations,
    T = c.sampling.temperature > 0 ? c.sampling.temperature : 1,
    g = c.grpo;
  t.deps.onProgress?.('train', 0, mu);
  const { chunks, tokens } = makeChunks(rows, t.deps.codec.padId, c.run.micro_batch_size);
  const s: LossSettings = {
    lossType: c.grpo.loss_type,
    beta: c.grpo.beta,
    epsilonLow: c.grpo.epsilon,
    epsilonHigh: c.grpo.epsilon_high ?? c.grpo.epsilon,
    importanceSamplingLevel: c.grpo.importance_sampling_level,
    maxCompletionLength: c.sampling.max_completion_length,
    batchSequences: rows.length,
    batchTokens: tokens,
    microBatches: chunks.length,
    entropyCoef: c.grpo.entropy_coef,
    delta: c.grpo.delta,
    sapoTemperaturePos: c.grpo.sapo_temperature_pos,
    sapoTemperatureNeg: c.grpo.sapo_temperature_neg,
    topEntropyQuantile: c.grpo.top_entropy_quantile,
    vespo: { kPos: g.vespo_k_pos, lambdaPos: g.vespo_lambda_pos, kNeg: g.vespo_k_neg, lambdaNeg: g.vespo_lambda_neg },
  };
  // the policy before any update (mu > 1), and the reference (adapter off, beta > 0), without gradients
  if (mu > 1)
    (await chunkLogprobs(t.deps.model, t.lora, chunks, t.compute, T)).forEach((lp, i) => {
      chunks[i].oldLogprobs = lp;
    });
  if (c.grpo.beta > 0)
    (await referenceLogprobs(t, chunks, T)).forEach((lp, i) => {
      chunks[i].refLogprobs = lp;
    });
  const t0 = performance.now(),
    per: Omit<UpdateSummary, 'trainTokens' | 'trainMs'>[] = [];
  for (let it = 0; it < mu; it++) {
    const learningRate = learningRateAt((t.step - t.sftSteps) * mu + it, c.run.max_steps * mu, c.optim);
    const m = await policyStep(t.deps.model, t.lora, t.optim, chunks, s, {
      lr: learningRate,
      maxGradNorm: c.optim.max_grad_norm,
      temperature: T,
      compute: t.compute,
    });
    per.push({
      loss: m.loss,
      gradNorm: m.grad_norm,
      learningRate,
      kl: m.kl,
      entropy: m.entropy,
      clipLow: m['clip_ratio/low_mean'],
      clipHigh: m['clip_ratio/high_mean'],
      clipRegion: m['clip_ratio/region_mean'],
      clipLowMin: m['clip_ratio/low_min'],
      clipHighMax: m['clip_ratio/high_max'],
      cispoClip: m.cispo_clip_ratio,
      vespoPhi: m['vespo/phi_seq_mean'],
      gradVariance: m.grad_variance,
    });
    t.deps.onProgress?.('train', it + 1, mu);
  }
  const width = chunks[0].batch.ids[0].length;
  const avg = (k: keyof (typeof per)[number]) => mean(per.map((p) => p[k]));
  return {
    loss: avg('loss'),
    gradNorm: avg('gradNorm'),
    learningRate: per[per.length - 1].learningRate,
    kl: avg('kl'),
    entropy: avg('entropy'),
    clipLow: avg('clipLow'),
    clipHigh: avg('clipHigh'),
    clipRegion: avg('clipRegion'),
    clipLowMin: avg('clipLowMin'),
    clipHighMax: avg('clipHighMax'),
    cispoClip: avg('cispoClip'),
    vespoPhi: avg('vespoPhi'),
    gradVariance: avg('gradVariance'),
    trainTokens: rows.length * width * mu,
    trainMs: performance.now() - t0,
  };
}

async function referenceLogprobs(t: StepContext, chunks: MicroBatch[], T: number): Promise<number[][][]> {
  t.lora.enabled = false;
  try {
    return await chunkLogprobs(t.deps.model, t.lora, chunks, t.compute, T);
  } finally {
    t.lora.enabled = true;
  }
}

function countTokens(roll: Rollout): number {
  const G = roll.all.completions.length / Math.max(1, roll.all.examples.length);
  return roll.all.completions.reduce(
    (a, c, r) => a + c.length + roll.all.examples[Math.floor(r / G)].promptIds.length,
    0,
  );
}
