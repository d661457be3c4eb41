// The reference Ops: op-by-op tfjs on every backend, differentiated by tfjs's autodiff. The fused and tiled
// implementations are checked against these (tests/engine/ops.test.ts, e2e/kernels.spec.ts).
//
//   referenceOps({ chunkedLmHead: false })   // whole [rows, V] logits: run.fused_kernels false
//   referenceOps({ chunkedLmHead: true })    // the LM head in chunks of rows: CPU and WASM runs
import * as tf from '../tf.ts';
import { lmHeadLogprobs, tokenLogprobsAndEntropy, type ChunkKernels } from '../lm-head.ts';
import type { LinearLora, Ops, Weight } from './ops.ts';
import { isPacked } from '../model/packed.ts';
import { packedLinear } from '../kernels/lora-linear.ts';

export function referenceLinear(x: tf.Tensor2D, w: Weight, bias?: tf.Tensor1D, lora?: LinearLora | null): tf.Tensor2D {
  let y: tf.Tensor2D;
  if (isPacked(w))
    y = packedLinear(x, w, bias, false); // unpacked for this product only
  else {
    y = tf.matMul(x, w, false, true);
    if (bias) y = tf.add(y, bias) as tf.Tensor2D;
  }
  if (lora) {
    const xin = lora.dropout > 0 ? tf.dropout(x, lora.dropout) : x;
    const delta = tf.matMul(tf.matMul(xin, lora.A, false, true), lora.B, false, true);
    y = tf.add(y, tf.mul(delta, lora.scale)) as tf.Tensor2D;
  }
  return y;
}

export function referenceRmsNorm<T extends tf.Tensor>(x: T, w: tf.Tensor1D, eps: number): T {
  const ms = tf.mean(tf.square(x), -1, true);
  return tf.mul(tf.mul(x, tf.rsqrt(tf.add(ms, eps))), w) as T;
}

export function referenceAttention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, bias: tf.Tensor4D): tf.Tensor2D {
  const [B, H, T, hd] = q.shape,
    [, KV, S] = k.shape,
    rep = H / KV;
  // GQA without copying K/V: query heads of one KV head are stacked along the row axis.
  const qg = q.reshape([B, KV, rep * T, hd]);
  let scores = tf.matMul(qg, k, false, true).reshape([B, H, T, S]);
  scores = tf.add(tf.mul(scores, 1 / Math.sqrt(hd)), bias);
  const probs = tf.softmax(scores).reshape([B, KV, rep * T, S]);
  const o = tf.matMul(probs, v).reshape([B, H, T, hd]);
  return tf.transpose(o, [0, 2, 1, 3]).reshape([B * T, H * hd]) as tf.Tensor2D;
}

export function referenceLogits(hidden: tf.Tensor2D, head: Weight): tf.Tensor2D {
  return isPacked(head) ? packedLinear(hidden, head, undefined, false) : tf.matMul(hidden, head, false, true);
}

export function referenceAdamwStep(...[opt, grads, lr]: Parameters<Ops['adamwStep']>): void {
  opt.step(grads, lr);
}

/** The op-by-op chunk kernels of the LM head (lm-head.ts), shared with the webgpu implementation. */
export const referenceChunks: ChunkKernels = { logits: referenceLogits };

export function referenceOps(o: { chunkedLmHead: boolean }): Ops {
  return {
    kind: 'reference',
    chunkedLmHead: o.chunkedLmHead,
    sequenceMultiple: 1,
    linear: referenceLinear,
    rmsNorm: referenceRmsNorm,
    attention: referenceAttention,
    logits: referenceLogits,
    tokenLogprobs: (hidden, head, targets, temperature) =>
      o.chunkedLmHead
        ? lmHeadLogprobs(referenceChunks, hidden, head, targets, temperature)
        : tokenLogprobsAndEntropy(referenceLogits(hidden, head), targets, temperature),
    decodeStep: () => null,
    adamwStep: referenceAdamwStep,
  };
}
