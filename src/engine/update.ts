// The optimisation half of a step: sequences cut into micro-batches that share one width, the old and
// reference log-probabilities (no gradients), and SFT's micro-batch loss. The gradient accumulation and
// the optimiser step are gradients.ts's; GRPO's update is policyStep (step.ts).
import * as tf from './tf.ts';
import type { CausalLM } from './model/model.ts';
import type { LoraAdapter } from './lora.ts';
import { completionLogprobs } from './grpo.ts';
import type { Compute } from './ops/ops.ts';
import type { MicroLoss } from './gradients.ts';
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
  /** [C] 1 where a completion token is the model's own (multi-turn episodes: 0 on environment and template tokens). */
  lossMask?: number[];
  /** [C] per-token rewards for PPO's GAE (multi-turn: each turn's reward on its last model token). */
  tokenRewards?: number[];
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
      const own = r.completionIds.map((_, t) => (r.counts ? (r.lossMask?.[t] ?? 1) : 0));
      const m = [...own, ...Array(lc).fill(0)];
      tokens += own.reduce((a, b) => a + b, 0);
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
