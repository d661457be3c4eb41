// The GRPO policy loss, following TRL's GRPOTrainer._compute_loss:
//   ratio = exp(logp - old_logp)                     (per token; per sequence with GSPO)
//   per_token = -min(min(ratio, delta) * A, clip(ratio, 1 - eps_low, 1 + eps_high) * A)   (delta: optional)
//   cispo:      -sg(min(ratio, eps_high)) * A * logp            (MiniMax-M1: the weight is clipped, not the update)
//   sapo:       -sigmoid(tau (ratio - 1)) * 4 / tau * A         (tau_pos for A > 0, tau_neg otherwise)
//   vespo:      -sg(phi(w)) * A * logp, w = exp(sum of the sequence's token log-ratios), phi(w) = e^lam w^k e^(-lam w)
//               (k, lam by the sign of A: TRL's get_gamma_weights, with its clamps)
//   then x the high-entropy token mask (top_entropy_quantile < 1), + beta * k3(ref, logp)
//   k3 = exp(ref - logp) - (ref - logp) - 1
// aggregated by loss_type (sapo as grpo, cispo and vespo as dapo, luspo: each sequence's loss times its length,
// averaged over sequences; at token level TRL's luspo also averages over padding positions, which depend on
// the padded width, so here the token terms are summed over each sequence's own tokens; with beta > 0 the
// same holds for the KL term). The loss of one micro-batch is scaled so that the sum over the micro-batches of
// an accumulated batch equals the batch loss (TRL divides by the accumulation steps; `dapo` normalises by
// the tokens of the whole accumulated batch).
import * as tf from './tf.ts';
import type { CausalLM } from './model/model.ts';
import type { LoraAdapter } from './lora.ts';
import type { Compute } from './ops/ops.ts';
import type { RunConfig } from './config.ts';
import { completionHidden, type SequenceBatch } from './batch.ts';

export type { SequenceBatch } from './batch.ts';

/** grpo.loss_type and grpo.importance_sampling_level, as the config schema declares them. */
export type LossType = RunConfig['grpo']['loss_type'];
export type ImportanceSamplingLevel = RunConfig['grpo']['importance_sampling_level'];

export interface LossSettings {
  lossType: LossType;
  beta: number;
  epsilonLow: number;
  epsilonHigh: number;
  importanceSamplingLevel: ImportanceSamplingLevel;
  maxCompletionLength: number;
  /** Sizes of the whole accumulated batch, to normalise one micro-batch's share. */
  batchSequences: number;
  batchTokens: number;
  microBatches: number;
  /** Two-sided clipping (INTELLECT-2): ratios above delta are clipped in the unclipped term too. */
  delta?: number;
  /** SAPO gate temperatures for positive and non-positive advantages (TRL: 1.0 and 1.05). */
  sapoTemperaturePos?: number;
  sapoTemperatureNeg?: number;
  /** VESPO's gamma weighting for non-negative and negative advantages (TRL: k 2 and 3, lambda 3 and 2). */
  vespo?: { kPos: number; lambdaPos: number; kNeg: number; lambdaNeg: number };
  /** Keep only this top fraction of tokens by entropy in the policy term (1 or absent: all). */
  topEntropyQuantile?: number;
  /** Entropy bonus weight (0 or absent: none); applied in step.ts, where the entropy is at hand. */
  entropyCoef?: number;
}

export interface PolicyLossInput {
  logprobs: tf.Tensor2D; // [N, C] current policy, differentiable
  oldLogprobs: tf.Tensor2D | null; // [N, C] null: on-policy (old = current, detached)
  refLogprobs: tf.Tensor2D | null; // [N, C] reference policy (adapter off); null when beta = 0
  advantages: tf.Tensor1D | tf.Tensor2D; // [N] per sequence, or [N, C] per token
  mask: tf.Tensor2D; // [N, C] 1 = completion token that counts
  /** [N, C] 1 = token among the top_entropy_quantile by entropy (absent: every token) */
  entropyMask?: tf.Tensor2D;
}

/** Scalar tensors of one micro-batch's loss and its metrics (TRL's names). */
export interface PolicyLossOutput {
  loss: tf.Scalar;
  kl: tf.Scalar; // masked token mean of k3 (0 when beta = 0)
  clipLow: tf.Scalar; // clip_ratio/low_mean
  clipHigh: tf.Scalar; // clip_ratio/high_mean
  clipRegion: tf.Scalar; // clip_ratio/region_mean
  clipLowMin: tf.Scalar; // clip_ratio/low_min: the lowest per-sequence low-clip fraction
  clipHighMax: tf.Scalar; // clip_ratio/high_max: the highest per-sequence high-clip fraction
  cispoClip: tf.Scalar; // cispo_clip_ratio: tokens whose weight cispo capped (A > 0, ratio > eps_high)
  vespoPhi: tf.Scalar; // vespo/phi_seq_mean: the mean VESPO weight (1 when on-policy)
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
  const tokenLogRatio = tf.sub(lp, old);
  let logRatio: tf.Tensor = tokenLogRatio;
  if (s.importanceSamplingLevel === 'sequence') {
    // GSPO: one ratio per sequence, the length-normalised sum of token log-ratios
    logRatio = tf.div(tf.sum(tf.mul(logRatio, mask), 1, true), tf.maximum(tf.sum(mask, 1, true), 1));
  }
  const ratio = tf.exp(logRatio);
  const phi = s.lossType === 'vespo' ? stopGradient(vespoWeights(tokenLogRatio, mask, adv, s)) : null;
  let perToken = phi ? tf.neg(tf.mul(tf.mul(phi, adv), lp)) : surrogate(ratio, adv, lp, s);
  if (inp.entropyMask) perToken = tf.mul(perToken, inp.entropyMask);
  let kl: tf.Scalar = tf.scalar(0);
  if (s.beta > 0 && inp.refLogprobs) {
    const d = tf.sub(inp.refLogprobs, lp);
    const k3 = tf.sub(tf.sub(tf.exp(d), d), 1);
    perToken = tf.add(perToken, tf.mul(k3, s.beta));
    kl = tf.div(tf.sum(tf.mul(k3, mask)), tokenCount) as tf.Scalar;
  }
  const loss = aggregate(tf.mul(perToken, mask), mask, s);
  // as TRL: one value per sequence is averaged over sequences, one per token over the tokens
  const masked = (b: tf.Tensor) =>
    (b.shape[1] === 1
      ? tf.mean(tf.cast(b, 'float32'))
      : tf.div(tf.sum(tf.mul(tf.cast(b, 'float32'), mask)), tokenCount)) as tf.Scalar;
  // TRL counts clipping on the ratio after the two-sided cap
  const r =
    s.delta !== undefined && !['cispo', 'sapo', 'vespo'].includes(s.lossType) ? tf.minimum(ratio, s.delta) : ratio;
  const isLow = tf.logicalAnd(tf.less(r, 1 - s.epsilonLow), tf.less(adv, 0));
  const isHigh = tf.logicalAnd(tf.greater(r, 1 + s.epsilonHigh), tf.greater(adv, 0));
  const isCispo = tf.logicalAnd(tf.greater(ratio, s.epsilonHigh), tf.greater(adv, 0));
  return {
    loss,
    kl,
    clipLow: masked(isLow),
    clipHigh: masked(isHigh),
    clipRegion: masked(tf.logicalOr(isLow, isHigh)),
    clipLowMin: sequenceExtreme(isLow, mask, 'min'),
    clipHighMax: sequenceExtreme(isHigh, mask, 'max'),
    cispoClip: masked(isCispo),
    vespoPhi: phi ? masked(phi) : tf.scalar(1),
  };
}

/**
 * VESPO's weight of each sequence ([N, 1], or [N, C] with per-token advantages), as TRL's get_gamma_weights:
 * log w = the sum of the token log-ratios (each clamped to +-20), clamped to [log 1e-8, 20];
 * log phi = lam + k log w - lam w, with k and lam of A >= 0 or of A < 0; an infinite phi counts as 0.
 */
function vespoWeights(tokenLogRatio: tf.Tensor, mask: tf.Tensor2D, adv: tf.Tensor, s: LossSettings): tf.Tensor {
  const v = s.vespo ?? { kPos: 2, lambdaPos: 3, kNeg: 3, lambdaNeg: 2 };
  const seq = tf.sum(tf.mul(tf.clipByValue(tokenLogRatio, -20, 20), mask), 1, true);
  const logW = tf.clipByValue(seq, Math.log(1e-8), 20);
  const nonNeg = tf.greaterEqual(adv, 0);
  const pick = (a: number, b: number) => tf.where(nonNeg, tf.fill(adv.shape, a), tf.fill(adv.shape, b));
  const k = pick(v.kPos, v.kNeg),
    lam = pick(Math.max(v.lambdaPos, 1e-4), Math.max(v.lambdaNeg, 1e-4));
  const phi = tf.exp(tf.sub(tf.add(lam, tf.mul(k, logW)), tf.mul(lam, tf.exp(logW))));
  return tf.where(tf.isFinite(phi), phi, tf.zerosLike(phi));
}

/** The per-token policy term of the loss type, before masking: [N, C], or [N, 1] with sequence ratios. */
function surrogate(ratio: tf.Tensor, adv: tf.Tensor, lp: tf.Tensor2D, s: LossSettings): tf.Tensor {
  if (s.lossType === 'cispo') {
    // the importance weight is capped at eps_high and carries no gradient; the gradient flows through logp
    const w = stopGradient(tf.minimum(ratio, s.epsilonHigh));
    return tf.neg(tf.mul(tf.mul(w, adv), lp));
  }
  if (s.lossType === 'sapo') {
    const pos = s.sapoTemperaturePos ?? 1,
      neg = s.sapoTemperatureNeg ?? 1.05;
    const tau = tf.where(tf.greater(adv, 0), tf.fill(adv.shape, pos), tf.fill(adv.shape, neg));
    const gate = tf.div(tf.mul(tf.sigmoid(tf.mul(tau, tf.sub(ratio, 1))), 4), tau);
    return tf.neg(tf.mul(gate, adv));
  }
  const clipped = tf.clipByValue(ratio, 1 - s.epsilonLow, 1 + s.epsilonHigh);
  const unclipped = s.delta !== undefined ? tf.minimum(ratio, s.delta) : ratio;
  return tf.neg(tf.minimum(tf.mul(unclipped, adv), tf.mul(clipped, adv)));
}

/** The min (or max) over sequences of each sequence's masked mean of `b`; sequences without tokens skipped. */
function sequenceExtreme(b: tf.Tensor, mask: tf.Tensor2D, which: 'min' | 'max'): tf.Scalar {
  const n = tf.sum(mask, 1);
  const perSeq = tf.div(tf.sum(tf.mul(tf.cast(b, 'float32'), mask), 1), tf.maximum(n, 1));
  const has = tf.greater(n, 0);
  const fill = tf.fill(perSeq.shape, which === 'min' ? Infinity : -Infinity);
  const ext = which === 'min' ? tf.min(tf.where(has, perSeq, fill)) : tf.max(tf.where(has, perSeq, fill));
  return tf.where(tf.isFinite(ext), ext, tf.scalar(0)) as tf.Scalar;
}

/**
 * The top-`quantile` tokens by entropy among the mask's tokens ([N, C] of 0/1, no gradient), as TRL's
 * get_high_entropy_mask: the threshold is the (1 - quantile) quantile with linear interpolation
 * (torch.quantile), taken over this micro-batch's tokens. `tokens` is the mask's sum, known to the caller.
 */
export function highEntropyMask(
  entropy: tf.Tensor2D,
  mask: tf.Tensor2D,
  quantile: number,
  tokens: number,
): tf.Tensor2D {
  if (tokens === 0) return tf.zerosLike(mask);
  const e = stopGradient(entropy);
  const flat = tf.where(tf.greater(mask, 0), e, tf.fill(e.shape, -Infinity)).reshape([-1]);
  const desc = tf.topk(flat, tokens).values; // the tokens' entropies, highest first
  const pos = (1 - quantile) * (tokens - 1); // ascending position of the threshold
  const lo = Math.floor(pos),
    hi = Math.ceil(pos);
  const at = (i: number) => tf.slice(desc, [tokens - 1 - i], [1]);
  const threshold = tf.add(at(lo), tf.mul(tf.sub(at(hi), at(lo)), pos - lo));
  return tf.mul(tf.cast(tf.greaterEqual(e, threshold), 'float32'), mask) as tf.Tensor2D;
}

function aggregate(maskedLoss: tf.Tensor, mask: tf.Tensor2D, s: LossSettings): tf.Scalar {
  const N = mask.shape[0];
  switch (s.lossType) {
    case 'grpo':
    case 'sapo': {
      const perSeq = tf.div(tf.sum(maskedLoss, 1), tf.maximum(tf.sum(mask, 1), 1));
      return tf.div(tf.sum(perSeq), s.batchSequences) as tf.Scalar;
    }
    case 'bnpo':
      return tf.div(tf.div(tf.sum(maskedLoss), tf.maximum(tf.sum(mask), 1)), s.microBatches) as tf.Scalar;
    case 'dr_grpo':
      return tf.div(tf.sum(maskedLoss), s.batchSequences * s.maxCompletionLength) as tf.Scalar;
    case 'luspo':
      return tf.div(tf.sum(maskedLoss), s.batchSequences) as tf.Scalar;
    case 'dapo':
    case 'cispo':
    case 'vespo':
      return tf.div(tf.sum(maskedLoss), Math.max(s.batchTokens, 1)) as tf.Scalar;
    default:
      throw new Error(`unknown loss_type ${String(s.lossType)} (N=${N})`);
  }
}

/**
 * Per-token log-probabilities [N, C] of the completion tokens and their entropies, from one forward pass
 * over prompt + completion (batch.ts). Logits are divided by the sampling temperature first, as TRL does.
 * Only the C completion positions reach the LM head, so [N, P + C, V] logits never exist; with the Ops'
 * chunked LM head (all but the reference of run.fused_kernels false), not even [N * C, V].
 */
export function completionLogprobs(
  model: CausalLM,
  lora: LoraAdapter | null,
  b: SequenceBatch,
  c: Compute,
  temperature = 1,
): { logprobs: tf.Tensor2D; entropy: tf.Tensor2D } {
  const { hidden, targets } = completionHidden(model, lora, b, c);
  const [N, C, D] = hidden.shape;
  const h = hidden.reshape([N * C, D]) as tf.Tensor2D;
  const [lp, ent] = c.ops.tokenLogprobs(h, model.weights.lmHead, targets.reshape([N * C]), temperature);
  return { logprobs: lp.reshape([N, C]), entropy: ent.reshape([N, C]) };
}
