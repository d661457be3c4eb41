// Log-probabilities of the sampled tokens and entropies from final hidden states, through the LM head in
// chunks of rows, so that logits [rows, V] never exist for all rows at once: the forward keeps only two
// numbers a row, and the backward recomputes each chunk's logits to form its gradient. With Qwen2.5's
// 151,936-token vocabulary, 512 completion tokens held ~300 MB of logits and as much again for each of
// log-softmax, one-hot, product and entropy terms; a chunk is at most LM_HEAD_CHUNK_BYTES.
//
//   const out = lmHeadLogprobs(model, hidden2d, targets, temperature)   // [R, 2]: log p(target), entropy
//
// Gradients flow to the hidden states only (the LM head, tied or not, is frozen). On the tiled kernel
// family (software adapters) the per-row statistics and their gradient are row kernels (kernels/rows.ts);
// elsewhere they are tfjs ops.
import * as tf from './tf.ts';
import type { CausalLM } from './model/model.ts';
import { tiledActive } from './kernels/flag.ts';
import { canTile, tiledMatMul } from './kernels/matmul.ts';
import { logprobEntropyRows, logprobEntropyRowsGrad } from './kernels/rows.ts';
import { lmHeadChunkRows } from './memory.ts';

export function lmHeadLogprobs(
  model: CausalLM,
  hidden: tf.Tensor2D,
  targets: tf.Tensor1D,
  temperature: number,
  chunkRows = lmHeadChunkRows(model.spec.vocabSize),
): tf.Tensor2D {
  const R = hidden.shape[0],
    W = model.weights.lmHead,
    tiled = tiledActive();
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
        const z = model.logits(slice(h, c)),
          t = slice(targets, c);
        return tiled
          ? logprobEntropyRows(z, t, temperature)
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
            const z = model.logits(slice(hs, c)),
              t = slice(ts, c),
              d = slice(dy as tf.Tensor2D, c);
            let dz: tf.Tensor2D;
            if (tiled) dz = logprobEntropyRowsGrad(z, t, d, temperature);
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
            return tiled && canTile([{ a: dz, b: W, form: 'nn' }])
              ? tiledMatMul([{ a: dz, b: W, form: 'nn' }])
              : (tf.matMul(dz, W) as tf.Tensor2D);
          }),
        );
        const dh = grads.length === 1 ? grads[0] : tf.concat(grads, 0);
        if (grads.length > 1) tf.dispose(grads);
        return [dh];
      },
    };
  });
  return f(hidden) as tf.Tensor2D;
}

/**
 * Op by op, differentiable: log p(target) [R] and entropy [R] of softmax(logits / temperature) for logits
 * [R, V]. The reference path (grpo.ts, fused kernels off) applies it to all rows, lm-head to one chunk.
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
