// Reference values for the loss types and options that the Hugging Face dump does not cover (dapo, GSPO's
// sequence ratio, cispo, sapo, luspo, vespo, two-sided clipping with delta, top_entropy_quantile) and for the clip
// metrics: a small independent implementation of TRL's GRPOTrainer._compute_loss formulas in float64,
// written here from the formulas, fed the fixtures' Hugging Face log-probabilities, entropies, old and
// reference log-probabilities and advantages. Our policyLoss must give the same loss (1e-6), the same
// gradient with respect to the log-probabilities (1e-5 of its max-abs) and the same metrics.
import { describe, it, expect, beforeAll } from 'vitest';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/engine/backend.ts';
import { highEntropyMask, policyLoss, type LossSettings } from '../../src/engine/grpo.ts';
import { fixtureDirs, loadReference, rows } from './fixtures.ts';

type M = number[][];
interface Case {
  name: string;
  loss: 'grpo' | 'dapo' | 'bnpo' | 'cispo' | 'sapo' | 'luspo' | 'vespo';
  /** Overrides the fixture's beta (luspo with a KL term depends on TRL's padding width, see grpo.ts). */
  beta?: number;
  /** vespo's k and lambda for A >= 0 and A < 0 (TRL's defaults when absent). */
  vespo?: [number, number, number, number];
  level?: 'token' | 'sequence';
  epsHigh?: number;
  delta?: number;
  quantile?: number;
}

const CASES: Case[] = [
  { name: 'dapo', loss: 'dapo' },
  { name: 'GSPO (sequence ratio, grpo aggregation)', loss: 'grpo', level: 'sequence' },
  { name: 'GSPO with dapo aggregation', loss: 'dapo', level: 'sequence' },
  { name: 'cispo (eps_high 1.1)', loss: 'cispo', epsHigh: 1.1 },
  { name: 'sapo', loss: 'sapo' },
  { name: 'dapo with two-sided clipping (delta 1.3)', loss: 'dapo', delta: 1.3 },
  { name: 'dapo, top 30% entropy tokens', loss: 'dapo', quantile: 0.3 },
  { name: 'bnpo, top 50% entropy tokens, GSPO', loss: 'bnpo', level: 'sequence', quantile: 0.5 },
  { name: 'luspo (sequence ratio, beta 0)', loss: 'luspo', level: 'sequence', beta: 0 },
  { name: 'luspo with delta 1.3 (sequence ratio, beta 0)', loss: 'luspo', level: 'sequence', beta: 0, delta: 1.3 },
  { name: 'vespo', loss: 'vespo' },
  { name: 'vespo (k 1 / 0.5, lambda 0.7 / 4), top 40% entropy', loss: 'vespo', vespo: [1, 0.7, 0.5, 4], quantile: 0.4 },
];

/** torch.quantile with linear interpolation over the values. */
function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const pos = q * (s.length - 1),
    lo = Math.floor(pos),
    hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

interface Inputs {
  old: M;
  ref: M;
  adv: number[];
  mask: M;
  ent: M;
  beta: number;
  epsLow: number;
  epsHigh: number;
  maxLen: number;
}

/**
 * TRL's loss for one batch (one micro-batch, one process). `lpDetached` is where .detach() reads (cispo's
 * weight), so that a finite difference in `lp` alone gives the gradient autograd would.
 */
function trlLoss(c: Case, x: Inputs, lp: M, lpDetached: M): { loss: number; lowMin: number; highMax: number } {
  const N = lp.length,
    C = lp[0].length,
    epsHigh = c.epsHigh ?? x.epsHigh,
    beta = c.beta ?? x.beta;
  const len = x.mask.map((r) => r.reduce((a, b) => a + b, 0));
  const logRatio = (l: M, i: number, t: number): number => {
    if (c.level !== 'sequence') return l[i][t] - x.old[i][t];
    let s = 0;
    for (let u = 0; u < C; u++) s += (l[i][u] - x.old[i][u]) * x.mask[i][u];
    return s / Math.max(len[i], 1);
  };
  const threshold =
    (c.quantile ?? 1) < 1
      ? quantile(
          x.ent.flatMap((r, i) => r.filter((_, t) => x.mask[i][t] > 0)),
          1 - c.quantile!,
        )
      : -Infinity;
  const per: M = [],
    low: M = [],
    high: M = [];
  for (let i = 0; i < N; i++) {
    per.push([]);
    low.push([]);
    high.push([]);
    for (let t = 0; t < C; t++) {
      const A = x.adv[i];
      let coef1 = Math.exp(logRatio(lp, i, t));
      let term: number;
      if (c.loss === 'cispo') term = -Math.min(Math.exp(logRatio(lpDetached, i, t)), epsHigh) * A * lp[i][t];
      else if (c.loss === 'vespo') term = -vespoPhi(c, x, lpDetached, i) * A * lp[i][t];
      else if (c.loss === 'sapo') {
        const tau = A > 0 ? 1 : 1.05;
        term = -((1 / (1 + Math.exp(-tau * (coef1 - 1)))) * 4 * A) / tau;
      } else {
        const coef2 = Math.min(Math.max(coef1, 1 - x.epsLow), 1 + epsHigh);
        if (c.delta !== undefined) coef1 = Math.min(coef1, c.delta);
        term = -Math.min(coef1 * A, coef2 * A);
      }
      if (x.ent[i][t] < threshold) term = 0; // high-entropy mask
      const d = x.ref[i][t] - lp[i][t];
      per[i].push(term + beta * (Math.exp(d) - d - 1));
      low[i].push(coef1 < 1 - x.epsLow && A < 0 ? 1 : 0);
      high[i].push(coef1 > 1 + epsHigh && A > 0 ? 1 : 0);
    }
  }
  const masked = (m: M) => m.map((r, i) => r.reduce((a, v, t) => a + v * x.mask[i][t], 0));
  const tokens = len.reduce((a, b) => a + b, 0);
  const rowSums = masked(per);
  let loss: number;
  if (c.loss === 'grpo' || c.loss === 'sapo') loss = rowSums.reduce((a, s, i) => a + s / len[i], 0) / N;
  else if (c.loss === 'luspo') {
    // TRL: (per_token_loss * mask.sum(-1, keepdim)).mean(), per_token_loss [N, 1] at sequence level, beta 0
    loss = per.reduce((a, r, i) => a + r[0] * len[i], 0) / N;
  } else loss = rowSums.reduce((a, b) => a + b, 0) / tokens; // dapo, cispo, vespo, bnpo over one micro-batch
  const seqMean = (m: M) => masked(m).map((s, i) => s / len[i]);
  return { loss, lowMin: Math.min(...seqMean(low)), highMax: Math.max(...seqMean(high)) };
}

/** TRL's get_gamma_weights for sequence i, in float64: phi(w) = e^lam w^k e^(-lam w), w the clamped sequence ratio. */
function vespoPhi(c: Case, x: Inputs, lp: M, i: number): number {
  const [kPos, lamPos, kNeg, lamNeg] = c.vespo ?? [2, 3, 3, 2];
  let s = 0;
  for (let t = 0; t < lp[i].length; t++) s += Math.min(20, Math.max(-20, lp[i][t] - x.old[i][t])) * x.mask[i][t];
  const logW = Math.min(20, Math.max(Math.log(1e-8), s));
  const [k, lam] = x.adv[i] >= 0 ? [kPos, lamPos] : [kNeg, lamNeg];
  const phi = Math.exp(lam + k * logW - lam * Math.exp(logW));
  return Number.isFinite(phi) ? phi : 0;
}

beforeAll(async () => {
  await initBackend('cpu');
});

describe.each(fixtureDirs().map((d) => [path.basename(d), d]))('%s: loss reference values', (_n, dir) => {
  const ref = loadReference(dir);
  const x: Inputs = {
    old: rows(ref.t.get('grpo_old_logprobs')!),
    ref: rows(ref.t.get('grpo_ref_logprobs')!),
    adv: Array.from(ref.t.get('grpo_advantages')!.data),
    mask: rows(ref.t.get('grpo_completion_mask')!),
    ent: rows(ref.t.get('grpo_entropy')!),
    beta: ref.meta.beta,
    epsLow: ref.meta.epsilon_low,
    epsHigh: ref.meta.epsilon_high,
    maxLen: ref.meta.max_completion_length,
  };
  const lp0 = rows(ref.t.get('grpo_logprobs')!);

  it.each(CASES)('$name: loss, gradient and clip metrics as TRL', (c) => {
    const before = tf.memory().numTensors;
    const tokens = x.mask.flat().reduce((a, b) => a + b, 0);
    const s: LossSettings = {
      lossType: c.loss,
      beta: c.beta ?? x.beta,
      epsilonLow: x.epsLow,
      epsilonHigh: c.epsHigh ?? x.epsHigh,
      importanceSamplingLevel: c.level ?? 'token',
      maxCompletionLength: x.maxLen,
      batchSequences: lp0.length,
      batchTokens: tokens,
      microBatches: 1,
      delta: c.delta,
      ...(c.vespo
        ? { vespo: { kPos: c.vespo[0], lambdaPos: c.vespo[1], kNeg: c.vespo[2], lambdaNeg: c.vespo[3] } }
        : {}),
    };
    const mask = tf.tensor2d(x.mask),
      ent = tf.tensor2d(x.ent),
      old = tf.tensor2d(x.old),
      refLp = tf.tensor2d(x.ref),
      adv = tf.tensor1d(x.adv),
      lp = tf.tensor2d(lp0);
    let lowMin = NaN,
      highMax = NaN;
    const { value, grads } = tf.valueAndGrads((l: tf.Tensor) => {
      const entropyMask = (c.quantile ?? 1) < 1 ? highEntropyMask(ent, mask, c.quantile!, tokens) : undefined;
      const out = policyLoss(
        { logprobs: l as tf.Tensor2D, oldLogprobs: old, refLogprobs: refLp, advantages: adv, mask, entropyMask },
        s,
      );
      lowMin = out.clipLowMin.dataSync()[0];
      highMax = out.clipHighMax.dataSync()[0];
      return out.loss;
    })([lp]);
    const want = trlLoss(c, x, lp0, lp0);
    expect(Math.abs(value.dataSync()[0] - want.loss)).toBeLessThan(1e-6);
    if (!['cispo', 'sapo', 'vespo'].includes(c.loss)) {
      expect(lowMin).toBeCloseTo(want.lowMin, 6);
      expect(highMax).toBeCloseTo(want.highMax, 6);
    }
    // central differences of the reference, the detached parts held where they are
    const got = rows({ data: grads[0].dataSync() as Float32Array, shape: grads[0].shape } as never);
    let worst = 0,
      scale = 0;
    const h = 1e-5;
    for (let i = 0; i < lp0.length; i++)
      for (let t = 0; t < lp0[0].length; t++) {
        const bump = (e: number) => lp0.map((r, a) => r.map((v, b) => (a === i && b === t ? v + e : v)));
        const g = (trlLoss(c, x, bump(h), lp0).loss - trlLoss(c, x, bump(-h), lp0).loss) / (2 * h);
        worst = Math.max(worst, Math.abs(g - got[i][t]));
        scale = Math.max(scale, Math.abs(g));
      }
    expect(worst / scale).toBeLessThan(1e-4);
    tf.dispose([value, ...grads, mask, ent, old, refLp, adv, lp]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
