// The WebGPU Ops for hardware GPUs: tfjs's own shared-memory matMul family, with the LoRA projections of
// the training pass given a hand-written gradient (kernels/lora-linear.ts: 3 forward and 6 backward
// dispatches instead of about 17), the LM head in chunks of rows, the fused decode step (kernels/decode.ts)
// and the in-place AdamW (kernels/adamw.ts). RMSNorm, RoPE, attention and the softmaxes stay op by op.
import type { LinearLora, Ops, Weight } from './ops.ts';
import * as tf from '../tf.ts';
import {
  referenceAttention,
  referenceChunks,
  referenceLinear,
  referenceLogits,
  referenceRmsNorm,
} from './reference.ts';
import { fusedLoraLinear } from '../kernels/lora-linear.ts';
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

export const webgpuOps: Ops = {
  kind: 'webgpu',
  chunkedLmHead: true,
  sequenceMultiple: 1,
  linear: (x, w, bias, lora) => (lora ? loraLinear(x, w, bias, lora, false) : referenceLinear(x, w, bias)),
  rmsNorm: referenceRmsNorm,
  attention: referenceAttention,
  logits: referenceLogits,
  tokenLogprobs: (hidden, head, targets, temperature) =>
    lmHeadLogprobs(referenceChunks, hidden, head, targets, temperature),
  decodeStep: webgpuDecodeStep,
  adamwStep: fusedAdamWStep, // 3 dispatches per variable instead of ~14
};
