// One optimiser step of the policy-gradient loss over a batch split into micro-batches: forward and
// backward per micro-batch with gradients accumulated (so [rows, T, V] logits of the whole batch never
// exist at once), then global-norm clipping and an AdamW update. Returns TRL-named metrics.
//
//   const m = await policyStep(model, lora, opt, microBatches, lossSettings, { lr, maxGradNorm })
import * as tf from './tf.ts';
import type { CausalLM } from './model/model.ts';
import type { LoraAdapter } from './lora.ts';
import type { AdamW } from './optim.ts';
import { clipGradNorm } from './optim.ts';
import { completionLogprobs, policyLoss, type LossSettings, type SequenceBatch } from './grpo.ts';

export interface MicroBatch {
  batch: SequenceBatch;            // N rows of prompt + completion
  completionMask: number[][];      // [N, C] 1 = token counts in the loss
  advantages: number[];            // [N] (per token advantages: give tokenAdvantages instead)
  tokenAdvantages?: number[][];    // [N, C] per-token advantages (estimators with step-level credit)
  oldLogprobs?: number[][];        // [N, C] from before the first update (num_iterations > 1)
  refLogprobs?: number[][];        // [N, C] reference policy (beta > 0)
}

export interface StepMetrics {
  loss: number;
  kl: number;
  entropy: number;
  'clip_ratio/low_mean': number;
  'clip_ratio/high_mean': number;
  'clip_ratio/region_mean': number;
  grad_norm: number;
}

export async function policyStep(model: CausalLM, lora: LoraAdapter, opt: AdamW, micro: MicroBatch[], s: LossSettings, o: { lr: number; maxGradNorm: number; temperature?: number }): Promise<StepMetrics> {
  const vars = lora.variables();
  let acc: tf.Tensor[] | null = null;
  const sums = { loss: 0, kl: 0, entropy: 0, low: 0, high: 0, region: 0 };
  const tokens = micro.reduce((n, m) => n + m.completionMask.flat().reduce((a, b) => a + b, 0), 0);
  lora.training = true;
  try {
    for (const m of micro) {
      const r = await microBatchGrads(model, lora, vars, m, s, o.temperature ?? 1);
      const w = r.tokens / Math.max(tokens, 1);  // token-weighted means of the metrics
      sums.loss += r.loss; sums.kl += r.kl * w; sums.entropy += r.entropy * w;
      sums.low += r.low * w; sums.high += r.high * w; sums.region += r.region * w;
      if (!acc) acc = r.grads;
      else { const prev: tf.Tensor[] = acc; acc = prev.map((g, i) => tf.add(g, r.grads[i])); tf.dispose([...prev, ...r.grads]); }
    }
  } finally {
    lora.training = false;
  }
  const { grads, norm } = await clipGradNorm(acc!, o.maxGradNorm);
  opt.step(grads, o.lr);
  tf.dispose(grads);
  return { loss: sums.loss, kl: sums.kl, entropy: sums.entropy, 'clip_ratio/low_mean': sums.low, 'clip_ratio/high_mean': sums.high, 'clip_ratio/region_mean': sums.region, grad_norm: norm };
}

async function microBatchGrads(model: CausalLM, lora: LoraAdapter, vars: tf.Variable[], m: MicroBatch, s: LossSettings, temperature: number) {
  const scalars: tf.Scalar[] = [];
  const mask = tf.tensor2d(m.completionMask);
  const t2 = (x?: number[][]) => (x ? tf.tensor2d(x) : null);
  const old = t2(m.oldLogprobs), ref = t2(m.refLogprobs);
  const adv = m.tokenAdvantages ? tf.tensor2d(m.tokenAdvantages) : tf.tensor1d(m.advantages);
  const { value, grads } = tf.variableGrads(() => {
    const { logprobs, entropy } = completionLogprobs(model, lora, m.batch, temperature);
    const out = policyLoss({ logprobs, oldLogprobs: old, refLogprobs: ref, advantages: adv, mask }, s);
    const ent = tf.div(tf.sum(tf.mul(entropy, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
    scalars.push(...[out.kl, ent, out.clipLow, out.clipHigh, out.clipRegion].map((x) => tf.keep(x)));
    return out.loss;
  }, vars);
  // one read-back for all scalars (synchronous reads stall WebGPU)
  const packed = tf.stack([value, ...scalars]);
  const [loss, kl, entropy, low, high, region] = Array.from(await packed.data());
  packed.dispose();
  tf.dispose([value, mask, adv, ...scalars, ...(old ? [old] : []), ...(ref ? [ref] : [])]);
  const ordered = vars.map((v) => grads[v.name]);
  return { grads: ordered, loss, kl, entropy, low, high, region, tokens: m.completionMask.flat().reduce((a, b) => a + b, 0) };
}
