// One optimiser step of the policy-gradient loss over a batch split into micro-batches: forward and
// backward per micro-batch with gradients accumulated (so [rows, T, V] logits of the whole batch never
// exist at once), then global-norm clipping and an AdamW update. Returns TRL-named metrics.
//
//   const m = await policyStep(model, lora, opt, microBatches, lossSettings, { lr, maxGradNorm, compute })
import * as tf from './tf.ts';
import type { CausalLM } from './model/model.ts';
import type { LoraAdapter } from './lora.ts';
import type { AdamW } from './optim.ts';
import { accumulateGradients, optimizerStep, type Accumulated, type MicroLoss } from './gradients.ts';
import { completionLogprobs, highEntropyMask, policyLoss, type LossSettings, type SequenceBatch } from './grpo.ts';
import type { Compute } from './ops/ops.ts';

export interface MicroBatch {
  batch: SequenceBatch; // N rows of prompt + completion
  completionMask: number[][]; // [N, C] 1 = token counts in the loss
  advantages: number[]; // [N] (per token advantages: give tokenAdvantages instead)
  tokenAdvantages?: number[][]; // [N, C] per-token advantages (estimators with step-level credit)
  oldLogprobs?: number[][]; // [N, C] from before the first update (num_iterations > 1)
  refLogprobs?: number[][]; // [N, C] reference policy (beta > 0)
}

/** What one policy update reports (TRL's names); the step's record is metrics.ts's StepMetrics. */
export interface PolicyUpdateMetrics {
  loss: number;
  kl: number;
  entropy: number;
  'clip_ratio/low_mean': number;
  'clip_ratio/high_mean': number;
  'clip_ratio/region_mean': number;
  /** Means over the micro-batches of each one's lowest / highest per-sequence clip fraction (as TRL logs them). */
  'clip_ratio/low_min': number;
  'clip_ratio/high_max': number;
  cispo_clip_ratio: number;
  /** vespo: the mean VESPO weight, averaged over micro-batches. */
  'vespo/phi_seq_mean': number;
  grad_norm: number;
  /** Trace of the covariance of the micro-batch gradient estimates (M x each micro-batch's share), 0 with one micro-batch. */
  grad_variance: number;
}

export async function policyStep(
  model: CausalLM,
  lora: LoraAdapter,
  opt: AdamW,
  micro: MicroBatch[],
  s: LossSettings,
  o: { lr: number; maxGradNorm: number; temperature?: number; compute: Compute },
): Promise<PolicyUpdateMetrics> {
  const counts = micro.map((m) => m.completionMask.flat().reduce((a, b) => a + b, 0));
  const tokens = counts.reduce((a, b) => a + b, 0);
  let r: Accumulated;
  lora.training = true;
  try {
    const losses = micro.map((m) => () => microBatchLoss(model, lora, m, s, o.compute, o.temperature ?? 1));
    r = await accumulateGradients(lora.variables(), losses, { squaredNorms: true });
  } finally {
    lora.training = false;
  }
  const norm = await optimizerStep(opt, r.grads, { lr: o.lr, maxGradNorm: o.maxGradNorm, ops: o.compute.ops });
  const M = micro.length;
  // token-weighted means of the metrics, except the per-micro-batch min/max clip fractions (plain means)
  const tokenMean = (k: number) => r.extras.reduce((a, e, i) => a + e[k] * (counts[i] / Math.max(tokens, 1)), 0);
  const microMean = (k: number) => r.extras.reduce((a, e) => a + e[k] / M, 0);
  // each micro-batch's loss is its share of the batch loss, so M * g_i estimates the batch gradient g = sum g_i;
  // sum_i |M g_i - g|^2 = M^2 sum_i |g_i|^2 - M |g|^2 needs only the squared norms
  const sq = r.squaredNorms.reduce((a, b) => a + b, 0);
  const gradVariance = M > 1 ? Math.max(0, (M * M * sq - M * norm * norm) / (M - 1)) : 0;
  return {
    loss: r.loss,
    kl: tokenMean(0),
    entropy: tokenMean(1),
    'clip_ratio/low_mean': tokenMean(2),
    'clip_ratio/high_mean': tokenMean(3),
    'clip_ratio/region_mean': tokenMean(4),
    'clip_ratio/low_min': microMean(5),
    'clip_ratio/high_max': microMean(6),
    cispo_clip_ratio: tokenMean(7),
    'vespo/phi_seq_mean': microMean(8),
    grad_norm: norm,
    grad_variance: gradVariance,
  };
}

/** One micro-batch's share of the loss; extras: kl, entropy, the clip fractions (PolicyUpdateMetrics' order). */
function microBatchLoss(
  model: CausalLM,
  lora: LoraAdapter,
  m: MicroBatch,
  s: LossSettings,
  compute: Compute,
  temperature: number,
): MicroLoss {
  const mask = tf.tensor2d(m.completionMask);
  const tokens = m.completionMask.flat().reduce((a, b) => a + b, 0);
  const t2 = (x?: number[][]) => (x ? tf.tensor2d(x) : null);
  const old = t2(m.oldLogprobs),
    ref = t2(m.refLogprobs);
  const adv = m.tokenAdvantages ? tf.tensor2d(m.tokenAdvantages) : tf.tensor1d(m.advantages);
  const { logprobs, entropy } = completionLogprobs(model, lora, m.batch, compute, temperature);
  const q = s.topEntropyQuantile ?? 1;
  const entropyMask = q < 1 ? highEntropyMask(entropy, mask, q, tokens) : undefined;
  const out = policyLoss({ logprobs, oldLogprobs: old, refLogprobs: ref, advantages: adv, mask, entropyMask }, s);
  const ent = tf.div(tf.sum(tf.mul(entropy, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
  const extras = [
    out.kl,
    ent,
    out.clipLow,
    out.clipHigh,
    out.clipRegion,
    out.clipLowMin,
    out.clipHighMax,
    out.cispoClip,
    out.vespoPhi,
  ];
  // entropy bonus: this micro-batch's share of the batch's token-mean entropy (over the high-entropy
  // tokens only when top_entropy_quantile < 1, as TRL), whatever the loss_type
  const entSum = tf.sum(tf.mul(entropy, entropyMask ? tf.mul(mask, entropyMask) : mask));
  const loss = s.entropyCoef
    ? (tf.sub(out.loss, tf.mul(entSum, s.entropyCoef / Math.max(s.batchTokens, 1))) as tf.Scalar)
    : out.loss;
  return { loss, extras };
}
