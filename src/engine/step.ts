// One optimiser step of the policy-gradient loss over a batch split into micro-batches: forward and
// backward per micro-batch with gradients accumulated (so [rows, T, V] logits of the whole batch never
// exist at once), then global-norm clipping and an AdamW update. Returns TRL-named metrics.
//
//   const m = await policyStep(model, lora, opt, microBatches, lossSettings, { lr, maxGradNorm, compute })
import * as tf from './tf.ts';
import type { CausalLM } from './model/model.ts';
import type { LoraAdapter } from './lora.ts';
import type { AdamW } from './optim.ts';
import { clipGradNorm, sumOfSquares } from './optim.ts';
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
  const vars = lora.variables();
  let acc: tf.Tensor[] | null = null;
  const sums = { loss: 0, kl: 0, entropy: 0, low: 0, high: 0, region: 0, lowMin: 0, highMax: 0, cispo: 0, sq: 0 };
  const tokens = micro.reduce((n, m) => n + m.completionMask.flat().reduce((a, b) => a + b, 0), 0);
  lora.training = true;
  try {
    for (const m of micro) {
      const r = await microBatchGrads(model, lora, vars, m, s, o.compute, o.temperature ?? 1);
      const w = r.tokens / Math.max(tokens, 1); // token-weighted means of the metrics
      sums.loss += r.loss;
      sums.kl += r.kl * w;
      sums.entropy += r.entropy * w;
      sums.low += r.low * w;
      sums.high += r.high * w;
      sums.region += r.region * w;
      sums.cispo += r.cispo * w;
      sums.lowMin += r.lowMin / micro.length;
      sums.highMax += r.highMax / micro.length;
      sums.sq += r.sq;
      if (!acc) acc = r.grads;
      else {
        const prev: tf.Tensor[] = acc;
        acc = prev.map((g, i) => tf.add(g, r.grads[i]));
        tf.dispose([...prev, ...r.grads]);
      }
    }
  } finally {
    lora.training = false;
  }
  const { grads, norm } = await clipGradNorm(acc!, o.maxGradNorm);
  o.compute.ops.adamwStep(opt, grads, o.lr);
  tf.dispose(grads);
  const M = micro.length;
  // each micro-batch's loss is its share of the batch loss, so M * g_i estimates the batch gradient g = sum g_i;
  // sum_i |M g_i - g|^2 = M^2 sum_i |g_i|^2 - M |g|^2 needs only the squared norms
  const gradVariance = M > 1 ? Math.max(0, (M * M * sums.sq - M * norm * norm) / (M - 1)) : 0;
  return {
    loss: sums.loss,
    kl: sums.kl,
    entropy: sums.entropy,
    'clip_ratio/low_mean': sums.low,
    'clip_ratio/high_mean': sums.high,
    'clip_ratio/region_mean': sums.region,
    'clip_ratio/low_min': sums.lowMin,
    'clip_ratio/high_max': sums.highMax,
    cispo_clip_ratio: sums.cispo,
    grad_norm: norm,
    grad_variance: gradVariance,
  };
}

async function microBatchGrads(
  model: CausalLM,
  lora: LoraAdapter,
  vars: tf.Variable[],
  m: MicroBatch,
  s: LossSettings,
  compute: Compute,
  temperature: number,
) {
  const scalars: tf.Scalar[] = [];
  const mask = tf.tensor2d(m.completionMask);
  const tokens = m.completionMask.flat().reduce((a, b) => a + b, 0);
  const t2 = (x?: number[][]) => (x ? tf.tensor2d(x) : null);
  const old = t2(m.oldLogprobs),
    ref = t2(m.refLogprobs);
  const adv = m.tokenAdvantages ? tf.tensor2d(m.tokenAdvantages) : tf.tensor1d(m.advantages);
  const { value, grads } = tf.variableGrads(() => {
    const { logprobs, entropy } = completionLogprobs(model, lora, m.batch, compute, temperature);
    const q = s.topEntropyQuantile ?? 1;
    const entropyMask = q < 1 ? highEntropyMask(entropy, mask, q, tokens) : undefined;
    const out = policyLoss({ logprobs, oldLogprobs: old, refLogprobs: ref, advantages: adv, mask, entropyMask }, s);
    const ent = tf.div(tf.sum(tf.mul(entropy, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
    const kept = [
      out.kl,
      ent,
      out.clipLow,
      out.clipHigh,
      out.clipRegion,
      out.clipLowMin,
      out.clipHighMax,
      out.cispoClip,
    ];
    scalars.push(...kept.map((x) => tf.keep(x)));
    // entropy bonus: this micro-batch's share of the batch's token-mean entropy (over the high-entropy
    // tokens only when top_entropy_quantile < 1, as TRL), whatever the loss_type
    const entSum = tf.sum(tf.mul(entropy, entropyMask ? tf.mul(mask, entropyMask) : mask));
    return s.entropyCoef
      ? (tf.sub(out.loss, tf.mul(entSum, s.entropyCoef / Math.max(s.batchTokens, 1))) as tf.Scalar)
      : out.loss;
  }, vars);
  const ordered = vars.map((v) => grads[v.name]);
  const sq = sumOfSquares(ordered);
  // one read-back for all scalars (synchronous reads stall WebGPU)
  const packed = tf.stack([value, ...scalars, sq]);
  const [loss, kl, entropy, low, high, region, lowMin, highMax, cispo, sqNorm] = Array.from(await packed.data());
  packed.dispose();
  tf.dispose([value, mask, adv, sq, ...scalars, ...(old ? [old] : []), ...(ref ? [ref] : [])]);
  return {
    grads: ordered,
    loss,
    kl,
    entropy,
    low,
    high,
    region,
    lowMin,
    highMax,
    cispo,
    sq: sqNorm,
    tokens,
  };
}
