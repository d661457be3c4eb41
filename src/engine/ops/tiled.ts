// The WebGPU Ops for software adapters (SwiftShader, lavapipe: Chromium's WebGPU on a machine without a
// GPU), where workgroup memory and barriers cost most: register-tiled matmuls (kernels/matmul.ts) for the
// projections, their gradients, the LM head and the attention products, and one invocation per row
// (kernels/rows.ts) for RMSNorm, the attention softmax and the LM head's per-row statistics. Shapes that do
// not tile (a side not a multiple of 4) fall back to the op-by-op form, which is why the training pass pads
// its sequences to a multiple of 4 (`sequenceMultiple`). Decode and AdamW are the webgpu implementation's.
import * as tf from '../tf.ts';
import type { Ops, Weight } from './ops.ts';
import { referenceAttention, referenceLinear, referenceLogits, referenceRmsNorm } from './reference.ts';
import { loraLinear, webgpuDecodeStep } from './webgpu.ts';
import { tiledLinear } from '../kernels/lora-linear.ts';
import { canTile, tiledMatMul, tiledMatMulGrad } from '../kernels/matmul.ts';
import { logprobEntropyRows, logprobEntropyRowsGrad, rowRmsNorm, rowSoftmax } from '../kernels/rows.ts';
import { fusedAdamWStep } from '../kernels/adamw.ts';
import { lmHeadLogprobs, type ChunkKernels } from '../lm-head.ts';

const logits = (h: tf.Tensor2D, head: Weight) => tiledLinear(h, head) ?? referenceLogits(h, head);

const chunks: ChunkKernels = {
  logits,
  rows: logprobEntropyRows,
  rowsGrad: logprobEntropyRowsGrad,
  backToHidden: (dz, W) =>
    canTile([{ a: dz, b: W, form: 'nn' }]) ? (tiledMatMul([{ a: dz, b: W, form: 'nn' }]) as tf.Tensor2D) : null,
};

export const tiledOps: Ops = {
  kind: 'tiled',
  chunkedLmHead: true,
  sequenceMultiple: 4,
  linear: (x, w, bias, lora) =>
    lora ? loraLinear(x, w, bias, lora, true) : (tiledLinear(x, w, bias) ?? referenceLinear(x, w, bias)),
  rmsNorm: (x, w, eps) => (x.dtype === 'float32' ? rowRmsNorm(x, w, eps) : referenceRmsNorm(x, w, eps)),
  attention: (q, k, v, bias) => tiledAttention(q, k, v, bias) ?? referenceAttention(q, k, v, bias),
  logits,
  tokenLogprobs: (hidden, head, targets, temperature) => lmHeadLogprobs(chunks, hidden, head, targets, temperature),
  decodeStep: webgpuDecodeStep,
  adamwStep: fusedAdamWStep,
};

/**
 * Attention in tiled kernels: q [B, H, T, hd], k and v [B, KV, S, hd], bias [B, 1, T, S]; returns the
 * heads' outputs [B*T, H*hd]. Null when the shapes do not tile (head size or key count not a multiple of 4).
 */
function tiledAttention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, bias: tf.Tensor4D): tf.Tensor2D | null {
  const [B, H, T, hd] = q.shape,
    [, KV, S] = k.shape,
    rep = H / KV;
  const qg = q.reshape([B * KV, rep * T, hd]),
    k3 = k.reshape([B * KV, S, hd]),
    v3 = v.reshape([B * KV, S, hd]);
  const scores = tiledMatMulGrad(qg, k3, 'nt');
  if (!scores) return null;
  const probs = rowSoftmax(scores.reshape([B, H, T, S]), bias, 1 / Math.sqrt(hd));
  const o = tiledMatMulGrad(probs.reshape([B * KV, rep * T, S]), v3, 'nn');
  if (!o) return null;
  return tf.transpose(o.reshape([B, H, T, hd]), [0, 2, 1, 3]).reshape([B * T, H * hd]) as tf.Tensor2D;
}
