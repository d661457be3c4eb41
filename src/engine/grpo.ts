// The GRPO policy loss, following TRL's GRPOTrainer._compute_loss:
//   ratio = exp(logp - old_logp)                     (per token; per sequence with GSPO)
//   per_token = -min(ratio * A, clip(ratio, 1 - eps_low, 1 + eps_high) * A) + beta * k3(ref, logp)
//   k3 = exp(ref - logp) - (ref - logp) - 1
// aggregated by loss_type. The loss of one micro-batch is scaled so that the sum over the micro-batches of
// an accumulated batch equals the batch loss (TRL divides by the accumulation steps; `dapo` normalises by
// the tokens of the whole accumulated batch).
import * as tf from './tf.ts';
import type { CausalLM } from './model/model.ts';
import type { LoraAdapter } from './lora.ts';
import { fusedSetting, tiledActive } from './kernels/flag.ts';
import { lmHeadLogprobs, tokenLogprobsAndEntropy } from './lm-head.ts';

export type LossType = 'grpo' | 'bnpo' | 'dr_grpo' | 'dapo';

export interface LossSettings {
  lossType: LossType;
  beta: number;
  epsilonLow: number;
  epsilonHigh: number;
  importanceSamplingLevel: 'token' | 'sequence';
  maxCompletionLength: number;
  /** Sizes of the whole accumulated batch, to normalise one micro-batch's share. */
  batchSequences: number;
  batchTokens: number;
  microBatches: number;
  /** Entropy bonus weight (0 or absent: none); applied in step.ts, where the entropy is at hand. */
  entropyCoef?: number;
}

export interface PolicyLossInput {
  logprobs: tf.Tensor2D; // [N, C] current policy, differentiable
  oldLogprobs: tf.Tensor2D | null; // [N, C] null: on-policy (old = current, detached)
  refLogprobs: tf.Tensor2D | null; // [N, C] reference policy (adapter off); null when beta = 0
  advantages: tf.Tensor1D | tf.Tensor2D; // [N] per sequence, or [N, C] per token
  mask: tf.Tensor2D; // [N, C] 1 = completion token that counts
}

/** Scalar tensors of one micro-batch's loss and its metrics (TRL's names). */
export interface PolicyLossOutput {
  loss: tf.Scalar;
  kl: tf.Scalar; // masked token mean of k3 (0 when beta = 0)
  clipLow: tf.Scalar; // clip_ratio/low_mean
  clipHigh: tf.Scalar; // clip_ratio/high_mean
  clipRegion: tf.Scalar; // clip_ratio/region_mean
}

/** Identity forward, zero gradient: torch's .detach(). */
export const stopGradient = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({
  value: tf.clone(args[0] as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as <T extends tf.Tensor>(x: T) => T;

export function policyLoss(inp: PolicyLossInput, s: LossSettings): PolicyLossOutput {
  const { logprobs: lp, mask } = inp;
  const old = inp.oldLogprobs ?? stopGradient(lp);
  const adv = inp.advantages.rank === 1 ? inp.advantages.reshape([-1, 1]) : inp.advantages; // [N, 1] or [N, C]
  const tokenCount = tf.maximum(tf.sum(mask), 1);
  let logRatio: tf.Tensor = tf.sub(lp, old);
  if (s.importanceSamplingLevel === 'sequence') {
    // GSPO: one ratio per sequence, the length-normalised sum of token log-ratios
    logRatio = tf.div(tf.sum(tf.mul(logRatio, mask), 1, true), tf.maximum(tf.sum(mask, 1, true), 1));
  }
  const ratio = tf.exp(logRatio);
  const clipped = tf.clipByValue(ratio, 1 - s.epsilonLow, 1 + s.epsilonHigh);
  let perToken: tf.Tensor = tf.neg(tf.minimum(tf.mul(ratio, adv), tf.mul(clipped, adv)));
  let kl: tf.Scalar = tf.scalar(0);
  if (s.beta > 0 && inp.refLogprobs) {
    const d = tf.sub(inp.refLogprobs, lp);
    const k3 = tf.sub(tf.sub(tf.exp(d), d), 1);
    perToken = tf.add(perToken, tf.mul(k3, s.beta));
    kl = tf.div(tf.sum(tf.mul(k3, mask)), tokenCount) as tf.Scalar;
  }
  const loss = aggregate(tf.mul(perToken, mask), mask, s);
  const masked = (b: tf.Tensor) => tf.div(tf.sum(tf.mul(tf.cast(b, 'float32'), mask)), tokenCount) as tf.Scalar;
  const isLow = tf.logicalAnd(tf.less(ratio, 1 - s.epsilonLow), tf.less(adv, 0));
  const isHigh = tf.logicalAnd(tf.greater(ratio, 1 + s.epsilonHigh), tf.greater(adv, 0));
  return {
    loss,
    kl,
    clipLow: masked(isLow),
    clipHigh: masked(isHigh),
    clipRegion: masked(tf.logicalOr(isLow, isHigh)),
  };
}

function aggregate(maskedLoss: tf.Tensor, mask: tf.Tensor2D, s: LossSettings): tf.Scalar {
  const N = mask.shape[0];
  switch (s.lossType) {
    case 'grpo': {
      const perSeq = tf.div(tf.sum(maskedLoss, 1), tf.maximum(tf.sum(mask, 1), 1));
      return tf.div(tf.sum(perSeq), s.batchSequences) as tf.Scalar;
    }
    case 'bnpo':
      return tf.div(tf.div(tf.sum(maskedLoss), tf.maximum(tf.sum(mask), 1)), s.microBatches) as tf.Scalar;
    case 'dr_grpo':
      return tf.div(tf.sum(maskedLoss), s.batchSequences * s.maxCompletionLength) as tf.Scalar;
    case 'dapo':
      return tf.div(tf.sum(maskedLoss), Math.max(s.batchTokens, 1)) as tf.Scalar;
    default:
      throw new Error(`unknown loss_type ${String(s.lossType)} (N=${N})`);
  }
}

export interface SequenceBatch {
  ids: number[][]; // [N, P + C] prompt left-padded to P, completion right-padded to C
  mask: number[][]; // [N, P + C] 1 = real token
  promptLength: number; // P
}

/**
 * Per-token log-probabilities [N, C] of the completion tokens and their entropies, from one forward pass
 * over prompt + completion. Logits are divided by the sampling temperature first, as TRL does. Only the
 * C completion positions reach the LM head, so [N, P + C, V] logits never exist; unless fused kernels are
 * turned off, not even [N * C, V] (lm-head.ts takes the rows in chunks).
 */
export function completionLogprobs(
  model: CausalLM,
  lora: LoraAdapter | null,
  b0: SequenceBatch,
  temperature = 1,
): { logprobs: tf.Tensor2D; entropy: tf.Tensor2D } {
  const tiled = tiledActive();
  // the tiled kernels need the sequence length to be a multiple of 4: pad the prompt side with masked tokens
  const b = tiled ? padToMultiple(b0, 4) : b0;
  const N = b.ids.length,
    P = b.promptLength,
    C = b.ids[0].length - P,
    D = model.spec.hidden;
  const ids = tf.tensor2d(b.ids, undefined, 'int32');
  const keyMask = tf.tensor2d(b.mask, undefined, 'float32');
  const positions = tf.tensor2d(
    b.mask.map((r) => {
      let p = -1;
      return r.map((m) => (m ? ++p : 1));
    }),
    undefined,
    'int32',
  );
  const { hidden } = model.forward({ ids, positions, keyMask, lora });
  const h = tf.slice(hidden, [0, P - 1, 0], [N, C, D]).reshape([N * C, D]) as tf.Tensor2D;
  const targets = tf.slice(ids, [0, P], [N, C]).reshape([N * C]) as tf.Tensor1D;
  if (fusedSetting() !== false) {
    // chunked through the LM head (lm-head.ts): no [N*C, V] logits held for the backward pass
    const [lp, ent] = tf.split(lmHeadLogprobs(model, h, targets, temperature), 2, 1);
    return { logprobs: lp.reshape([N, C]), entropy: ent.reshape([N, C]) };
  }
  // the reference path (run.fused_kernels: false): whole logits [N*C, V], op by op
  const [lp, ent] = tokenLogprobsAndEntropy(model.logits(h), targets, temperature);
  return { logprobs: lp.reshape([N, C]), entropy: ent.reshape([N, C]) };
}

/** The batch with masked pad tokens prepended so that its length is a multiple of `m` (results unchanged). */
function padToMultiple(b: SequenceBatch, m: number): SequenceBatch {
  const extra = (m - (b.ids[0].length % m)) % m;
  if (!extra) return b;
  const pad = Array(extra).fill(0);
  return {
    ids: b.ids.map((r) => [...pad, ...r]),
    mask: b.mask.map((r) => [...pad, ...r]),
    promptLength: b.promptLength + extra,
  };
}
