// The optimisation half of a step: sequences cut into micro-batches, a loss per micro-batch, gradients
// accumulated over the whole batch (each micro-batch's loss is already scaled so that their sum is the
// batch loss, see grpo.ts), then one clipped AdamW update.
import * as tf from './tf.ts';
import type { CausalLM } from './model/model.ts';
import type { LoraAdapter } from './lora.ts';
import { completionLogprobs, policyLoss, type LossSettings, type SequenceBatch } from './grpo.ts';

/** One training sequence: a prompt, its completion (or SFT target), and the completion's advantage. */
export interface TrainRow {
  promptIds: number[];
  completionIds: number[];
  /** false: the row is in the batch but no token of it counts (DAPO overlong filtering). */
  counts: boolean;
  advantage: number;
}

export interface Chunk {
  batch: SequenceBatch;       // ids/mask [n, P + C]
  lossMask: number[][];       // [n, C] 1 = completion token that counts in the loss
  advantages: number[];       // [n]
}

/** Splits rows into micro-batches that share one width (P + C), so every pass has the same shapes. */
export function makeChunks(rows: TrainRow[], padId: number, microBatch: number): { chunks: Chunk[]; tokens: number } {
  const P = Math.max(...rows.map((r) => r.promptIds.length)), C = Math.max(1, ...rows.map((r) => r.completionIds.length));
  const chunks: Chunk[] = [];
  let tokens = 0;
  for (let i = 0; i < rows.length; i += microBatch) {
    const part = rows.slice(i, i + microBatch);
    const ids: number[][] = [], mask: number[][] = [], lossMask: number[][] = [];
    for (const r of part) {
      const lp = P - r.promptIds.length, lc = C - r.completionIds.length;
      ids.push([...Array(lp).fill(padId), ...r.promptIds, ...r.completionIds, ...Array(lc).fill(padId)]);
      mask.push([...Array(lp).fill(0), ...Array(r.promptIds.length + r.completionIds.length).fill(1), ...Array(lc).fill(0)]);
      const m = [...Array(r.completionIds.length).fill(r.counts ? 1 : 0), ...Array(lc).fill(0)];
      tokens += r.counts ? r.completionIds.length : 0;
      lossMask.push(m);
    }
    chunks.push({ batch: { ids, mask, promptLength: P }, lossMask, advantages: part.map((r) => r.advantage) });
  }
  return { chunks, tokens };
}

/** A micro-batch's scalar loss and the scalars it reports (kept alive past the gradient pass). */
export interface MicroLoss { loss: tf.Scalar; extras: tf.Scalar[] }

/**
 * Sums gradients of the micro-batch losses over the LoRA variables. Returns the summed gradients (in the
 * order of `vars`, caller disposes), the summed loss, and each micro-batch's extras.
 */
export async function accumulateGradients(vars: tf.Variable[], micro: Array<() => MicroLoss>): Promise<{ grads: tf.Tensor[]; loss: number; extras: number[][] }> {
  let acc: tf.Tensor[] | null = null;
  const losses: tf.Scalar[] = [], extras: tf.Scalar[][] = [];
  for (const f of micro) {
    const { value, grads } = tf.variableGrads(() => {
      const out = f();
      extras.push(out.extras.map((e) => tf.keep(e)));
      return out.loss;
    }, vars);
    losses.push(value);
    const g = vars.map((v) => grads[v.name]);
    if (acc === null) acc = g;
    else { const prev: tf.Tensor[] = acc; acc = prev.map((a, i) => tf.add(a, g[i])); tf.dispose([...prev, ...g]); }
  }
  const flat = tf.stack([...losses, ...extras.flat()]);
  const values = Array.from(await flat.data());
  tf.dispose([flat, ...losses, ...extras.flat()]);
  const n = micro.length, k = extras[0]?.length ?? 0;
  const loss = values.slice(0, n).reduce((a, b) => a + b, 0);
  return { grads: acc ?? [], loss, extras: Array.from({ length: n }, (_, i) => values.slice(n + i * k, n + (i + 1) * k)) };
}

/** Per-token log-probabilities [n, C] of each chunk without gradients (old policy, or reference with the adapter off). */
export function chunkLogprobs(model: CausalLM, lora: LoraAdapter | null, chunks: Chunk[], temperature: number): tf.Tensor2D[] {
  return chunks.map((c) => tf.tidy(() => completionLogprobs(model, lora, c.batch, temperature).logprobs));
}

/** GRPO loss of one chunk; extras: kl, clip low/high/region, sum of masked entropy. */
export function grpoMicroLoss(model: CausalLM, lora: LoraAdapter, c: Chunk, old: tf.Tensor2D | null, ref: tf.Tensor2D | null, s: LossSettings, temperature: number): MicroLoss {
  const { logprobs, entropy } = completionLogprobs(model, lora, c.batch, temperature);
  const mask = tf.tensor2d(c.lossMask, undefined, 'float32');
  const out = policyLoss({ logprobs, oldLogprobs: old, refLogprobs: ref, advantages: tf.tensor1d(c.advantages), mask }, s);
  const entropySum = tf.sum(tf.mul(entropy, mask)) as tf.Scalar;
  return { loss: out.loss, extras: [out.kl, out.clipLow, out.clipHigh, out.clipRegion, entropySum] };
}

/** SFT: token-mean cross-entropy over the whole batch's target tokens (prompt masked); extras: masked entropy sum. */
export function sftMicroLoss(model: CausalLM, lora: LoraAdapter, c: Chunk, batchTokens: number): MicroLoss {
  const { logprobs, entropy } = completionLogprobs(model, lora, c.batch, 1);
  const mask = tf.tensor2d(c.lossMask, undefined, 'float32');
  const loss = tf.div(tf.neg(tf.sum(tf.mul(logprobs, mask))), Math.max(1, batchTokens)) as tf.Scalar;
  return { loss, extras: [tf.sum(tf.mul(entropy, mask)) as tf.Scalar] };
}
