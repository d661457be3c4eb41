// The policy update of an RL step (GRPO, its estimators, and environment episodes alike): mu passes of the
// micro-batched policy loss over the step's rows, one clipped AdamW update each, after the old policy's
// (mu > 1) and the reference model's (beta > 0) log-probabilities are taken without gradients.
//
//   const summary = await policyUpdates(stepContext, rows)   // rows: prompt, completion, advantage(s)
import { learningRateAt } from './optim.ts';
import { chunkLogprobs, makeChunks, type TrainRow } from './update.ts';
import { policyStep, type MicroBatch } from './step.ts';
import type { UpdateSummary } from './step-metrics.ts';
import type { LossSettings } from './grpo.ts';
import { mean } from './stats.ts';
import type { StepContext } from './step-context.ts';

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
