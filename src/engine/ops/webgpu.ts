// The WebGPU Ops for hardware GPUs: tfjs's own shared-memory matMul family, with the LoRA projections of
// the training pass given a hand-written gradient (kernels/lora-linear.ts: 3 forward and 6 backward
// dispatches instead of about 17), the LM head in chunks of rows, the fused decode step (kernels/decode.ts)
// and the in-place AdamW (kernels/adamw.ts). RMSNorm, RoPE, attention and the softmaxes stay op by op.
// tfjs's matMul reads f32 only: products with a 16-bit packed weight go to the register-tiled kernels
// (kernels/matmul.ts), which unpack as they load.
import type { LinearLora, Ops, Weight } from './ops.ts';
import * as tf from '../tf.ts';
import {
  referenceAttention,
  referenceChunks,
  referenceLinear,
  referenceLogits,
  referenceRmsNorm,
} from './reference.ts';
import { fusedLoraLinear, packedLinear } from '../kernels/lora-linear.ts';
import { canTile, tiledMatMul } from '../kernels/matmul.ts';
import { isPacked } from '../model/packed.ts';
import type { ChunkKernels } from '../lm-head.ts';
import { fusedDecodeStep, fusedDecodeSupported } from '../kernels/decode.ts';
import { fusedAdamWStep } from '../kernels/adamw.ts';
import { lmHeadLogprobs } from '../lm-head.ts';

/** A LoRA projection with the hand-written gradient; LoRA dropout (training) keeps the op-by-op form. */
export function loraLinear(
  x: tf.Tensor2D,
  w: Weight,
  bias: tf.Tensor1D | undefined,
  lora: LinearLora,
  preferTiled: boolean,
): tf.Tensor2D {
  if (lora.dropout > 0) return referenceLinear(x, w, bias, lora);
  return fusedLoraLinear(x, w, bias, lora.A, lora.B, lora.scale, preferTiled);
}

/** The decode step and AdamW of both WebGPU implementations. */
export const webgpuDecodeStep: Ops['decodeStep'] = (model, lora, cache, ids, positions, keyMask, slot) =>
  fusedDecodeSupported(model, cache.capacity)
    ? fusedDecodeStep(model, lora, cache, ids, positions, keyMask, slot)
    : null;

const logits = (h: tf.Tensor2D, head: Weight) =>
  isPacked(head) ? packedLinear(h, head, undefined, true) : referenceLogits(h, head);

/** The LM head's chunks: tfjs's ops, but a packed head read by the tiled kernels. */
const chunks: ChunkKernels = {
  ...referenceChunks,
  logits,
  backToHidden: (dz, W) =>
    isPacked(W) && canTile([{ a: dz, b: W, form: 'nn' }])
      ? tiledMatMul<tf.Tensor2D>([{ a: dz, b: W, form: 'nn' }])
      : null,
};

export const webgpuOps: Ops = {
  kind: 'webgpu',
  chunkedLmHead: true,
  sequenceMultiple: 1,
  linear: (x, w, bias, lora) =>
    lora
      ? loraLinear(x, w, bias, lora, false)
      : isPacked(w)
        ? packedLinear(x, w, bias, true)
        : referenceLinear(x, w, bias),
  rmsNorm: referenceRmsNorm,
  attention: referenceAttention,
  logits,
  tokenLogprobs: (hidden, head, targets, temperature) => lmHeadLogprobs(chunks, hidden, head, targets, temperature),
  decodeStep: webgpuDecodeStep,
  adamwStep: fusedAdamWStep, // 3 dispatches per variable instead of ~14
};
