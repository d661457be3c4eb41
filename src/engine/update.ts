// The optimisation half of a step: sequences cut into micro-batches that share one width, the old and
// reference log-probabilities (no gradients), and for SFT the gradient accumulation of the cross-entropy.
// GRPO's micro-batched backward, clipping and AdamW update is policyStep (step.ts).
import * as tf from './tf.ts';
import type { CausalLM } from './model/model.ts';
import type { LoraAdapter } from './lora.ts';
import { completionLogprobs } from './grpo.ts';
import type { Compute } from './ops/ops.ts';
import type { MicroBatch } from './step.ts';

/** One training sequence: a prompt, its completion (or SFT target), and the completion's advantage. */
export interface TrainRow {
  promptIds: number[];
  completionIds: number[];
  /** false: the row is in the batch but no token of it counts (DAPO overlong filtering). */
  counts: boolean;
  advantage: number;
  /** Per-token advantages [C] (VinePPO, PPO); when any row has them, the batch trains on per-token advantages. */
  tokenAdvantages?: number[];
}

/** Splits rows into micro-batches that share one width (P + C), so every pass has the same shapes. */
export function makeChunks(
  rows: TrainRow[],
  padId: number,
  microBatch: number,
): { chunks: MicroBatch[]; tokens: number } {
  const P = Math.max(...rows.map((r) => r.promptIds.length)),
    C = Math.max(1, ...rows.map((r) => r.completionIds.length));
  const chunks: MicroBatch[] = [];
  const perToken = rows.some((r) => r.tokenAdvantages);
  let tokens = 0;
  for (let i = 0; i < rows.length; i += microBatch) {
    const part = rows.slice(i, i + microBatch);
    const ids: number[][] = [],
      mask: number[][] = [],
      lossMask: number[][] = [];
    for (const r of part) {
      const lp = P - r.promptIds.length,
        lc = C - r.completionIds.length;
      ids.push([...Array(lp).fill(padId), ...r.promptIds, ...r.completionIds, ...Array(lc).fill(padId)]);
      mask.push([
        ...Array(lp).fill(0),
        ...Array(r.promptIds.length + r.completionIds.length).fill(1),
        ...Array(lc).fill(0),
      ]);
      const m = [...Array(r.completionIds.length).fill(r.counts ? 1 : 0), ...Array(lc).fill(0)];
      tokens += r.counts ? r.completionIds.length : 0;
      lossMask.push(m);
    }
    const tokenAdvantages = perToken
      ? part.map((r) => {
          const a = r.tokenAdvantages ?? r.completionIds.map(() => r.advantage);
          return [...a, ...Array(C - a.length).fill(0)];
        })
      : undefined; // [n, C]
    chunks.push({
      batch: { ids, mask, promptLength: P },
      completionMask: lossMask,
      advantages: part.map((r) => r.advantage),
      ...(tokenAdvantages ? { tokenAdvantages } : {}),
    });
  }
  return { chunks, tokens };
}

/** A micro-batch's scalar loss and the scalars it reports (kept alive past the gradient pass). */
export interface MicroLoss {
  loss: tf.Scalar;
  extras: tf.Scalar[];
}

/**
 * Sums gradients of the micro-batch losses over the LoRA variables. Returns the summed gradients (in the
 * order of `vars`, caller disposes), the summed loss, and each micro-batch's extras.
 */
export async function accumulateGradients(
  vars: tf.Variable[],
  micro: Array<() => MicroLoss>,
): Promise<{ grads: tf.Tensor[]; loss: number; extras: number[][] }> {
  let acc: tf.Tensor[] | null = null;
  const losses: tf.Scalar[] = [],
    extras: tf.Scalar[][] = [];
  for (const f of micro) {
    const { value, grads } = tf.variableGrads(() => {
      const out = f();
      extras.push(out.extras.map((e) => tf.keep(e)));
      return out.loss;
    }, vars);
    losses.push(value);
    const g = vars.map((v) => grads[v.name]);
    if (acc === null) acc = g;
    else {
      const prev: tf.Tensor[] = acc;
      acc = prev.map((a, i) => tf.add(a, g[i]));
      tf.dispose([...prev, ...g]);
    }
  }
  const flat = tf.stack([...losses, ...extras.flat()]);
  const values = Array.from(await flat.data());
  tf.dispose([flat, ...losses, ...extras.flat()]);
  const n = micro.length,
    k = extras[0]?.length ?? 0;
  const loss = values.slice(0, n).reduce((a, b) => a + b, 0);
  return {
    grads: acc ?? [],
    loss,
    extras: Array.from({ length: n }, (_, i) => values.slice(n + i * k, n + (i + 1) * k)),
  };
}

/** Per-token log-probabilities [n, C] of each chunk without gradients (old policy, or reference with the adapter off). */
export async function chunkLogprobs(
  model: CausalLM,
  lora: LoraAdapter | null,
  chunks: MicroBatch[],
  compute: Compute,
  temperature: number,
): Promise<number[][][]> {
  const out: number[][][] = [];
  for (const c of chunks) {
    const lp = tf.tidy(() => completionLogprobs(model, lora, c.batch, compute, temperature).logprobs);
    out.push(await lp.array());
    lp.dispose();
  }
  return out;
}

/** SFT: token-mean cross-entropy over the whole batch's target tokens (prompt masked); extras: masked entropy sum. */
export function sftMicroLoss(
  model: CausalLM,
  lora: LoraAdapter,
  c: MicroBatch,
  batchTokens: number,
  compute: Compute,
): MicroLoss {
  const { logprobs, entropy } = completionLogprobs(model, lora, c.batch, compute, 1);
  const mask = tf.tensor2d(c.completionMask, undefined, 'float32');
  const loss = tf.div(tf.neg(tf.sum(tf.mul(logprobs, mask))), Math.max(1, batchTokens)) as tf.Scalar;
  return { loss, extras: [tf.sum(tf.mul(entropy, mask)) as tf.Scalar] };
}
