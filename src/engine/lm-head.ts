// Log-probabilities of the sampled tokens and entropies from final hidden states, through the LM head in
// chunks of rows, so that logits [rows, V] never exist for all rows at once: the forward keeps only two
// numbers a row, and the backward recomputes each chunk's logits to form its gradient. With Qwen2.5's
// 151,936-token vocabulary, 512 completion tokens held ~300 MB of logits and as much again for each of
// log-softmax, one-hot, product and entropy terms; a chunk is at most LM_HEAD_CHUNK_BYTES.
//
//   const [lp, ent] = lmHeadLogprobs(chunks, hidden2d, head, targets, temperature)   // [R] each
//
// Gradients flow to the hidden states only (the LM head, tied or not, is frozen). `chunks` are the Ops
// implementation's pieces: its logits, and optionally row kernels for the per-row statistics and their
// gradient and a product for the gradient to the hidden states (the tiled Ops); by default tfjs ops.
import * as tf from './tf.ts';
import { lmHeadChunkRows } from './memory.ts';
import type { Weight } from './ops/ops.ts';
import { dense } from './model/packed.ts';

/** How one Ops implementation computes a chunk; the optional parts default to op-by-op tfjs. */
export interface ChunkKernels {
  logits(hidden: tf.Tensor2D, head: Weight): tf.Tensor2D;
  /** [R, 2]: log p(target) and entropy of softmax(logits / temperature). */
  rows?(logits: tf.Tensor2D, targets: tf.Tensor1D, temperature: number): tf.Tensor2D;
  /** Gradient to the logits [R, V] of `rows`, given its upstream gradient [R, 2]. */
  rowsGrad?(logits: tf.Tensor2D, targets: tf.Tensor1D, dy: tf.Tensor2D, temperature: number): tf.Tensor2D;
  /** dz [R, V] . head [V, D] -> [R, D]; null where it does not apply (then tf.matMul). */
  backToHidden?(dz: tf.Tensor2D, head: Weight): tf.Tensor2D | null;
}

export function lmHeadLogprobs(
  k: ChunkKernels,
  hidden: tf.Tensor2D,
  W: Weight,
  targets: tf.Tensor1D,
  temperature: number,
  chunkRows = lmHeadChunkRows(W.shape[0]),
): [tf.Tensor1D, tf.Tensor1D] {
  const R = hidden.shape[0];
  const chunks: Array<[number, number]> = [];
  for (let r = 0; r < R; r += chunkRows) chunks.push([r, Math.min(chunkRows, R - r)]);
  const slice = <T extends tf.Tensor>(t: T, [r, n]: [number, number]) =>
    chunks.length === 1 ? t : (tf.slice(t, r, n) as T);
  const scaled = (z: tf.Tensor2D) =>
    temperature > 0 && temperature !== 1 ? (tf.div(z, temperature) as tf.Tensor2D) : z;
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const h = args[0] as tf.Tensor2D;
    (args[1] as tf.GradSaveFunc)([h, targets]); // targets too: the caller's scope may dispose them before the backward pass
    const parts = chunks.map((c) =>
      tf.tidy(() => {
        const z = k.logits(slice(h, c), W),
          t = slice(targets, c);
        return k.rows
          ? k.rows(z, t, temperature)
          : (tf.stack(tokenLogprobsAndEntropy(z, t, temperature), 1) as tf.Tensor2D);
      }),
    );
    const value = parts.length === 1 ? parts[0] : tf.concat(parts, 0);
    if (parts.length > 1) tf.dispose(parts);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [hs, ts] = saved as [tf.Tensor2D, tf.Tensor1D];
        const grads = chunks.map((c) =>
          tf.tidy(() => {
            const z = k.logits(slice(hs, c), W),
              t = slice(ts, c),
              d = slice(dy as tf.Tensor2D, c);
            let dz: tf.Tensor2D;
            if (k.rowsGrad) dz = k.rowsGrad(z, t, d, temperature);
            else {
              // d z_j = (dlp (1[j = t] - p_j) - dH p_j (log p_j + H)) / temperature
              const logp = tf.logSoftmax(scaled(z)),
                p = tf.exp(logp);
              const ent = tf.neg(tf.sum(tf.mul(p, logp), 1, true));
              const [dlp, dh] = tf.split(d, 2, 1);
              dz = tf.sub(
                tf.mul(dlp, tf.sub(oneHot(t, z.shape[1]), p)),
                tf.mul(dh, tf.mul(p, tf.add(logp, ent))),
              ) as tf.Tensor2D;
              if (temperature > 0 && temperature !== 1) dz = tf.div(dz, temperature);
            }
            // a packed head the Ops cannot read is unpacked for this chunk only
            return k.backToHidden?.(dz, W) ?? (tf.matMul(dz, dense(W)) as tf.Tensor2D);
          }),
        );
        const dh = grads.length === 1 ? grads[0] : tf.concat(grads, 0);
        if (grads.length > 1) tf.dispose(grads);
        return [dh];
      },
    };
  });
  const [lp, ent] = tf.split(f(hidden) as tf.Tensor2D, 2, 1);
  return [lp.reshape([R]), ent.reshape([R])];
}

/**
 * Op by op, differentiable: log p(target) [R] and entropy [R] of softmax(logits / temperature) for logits
 * [R, V]. The reference Ops apply it to all rows (whole logits), lmHeadLogprobs to one chunk.
 */
export function tokenLogprobsAndEntropy(
  logits: tf.Tensor2D,
  targets: tf.Tensor1D,
  temperature: number,
): [tf.Tensor1D, tf.Tensor1D] {
  const logp = tf.logSoftmax(temperature > 0 && temperature !== 1 ? tf.div(logits, temperature) : logits);
  const lp = tf.sum(tf.mul(logp, oneHot(targets, logits.shape[1])), 1) as tf.Tensor1D;
  const ent = tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), 1)) as tf.Tensor1D;
  return [lp, ent];
}

// oneHot straight to float32 is wrong on the WASM backend (int bits read as floats): cast instead
const oneHot = (t: tf.Tensor1D, V: number) => tf.cast(tf.oneHot(tf.cast(t, 'int32'), V), 'float32');
