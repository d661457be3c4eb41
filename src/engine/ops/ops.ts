// The tensor operations whose implementation depends on the hardware, behind one interface. A run picks one
// implementation once, from the backend and its config, and hands it to the model's forward pass, the
// sampler and the trainer; nothing else decides which kernels run.
//
//   reference  op-by-op tfjs, every backend: the numerics every other implementation is checked against
//              (reference.ts). With `chunkedLmHead` it takes the LM head's log-probabilities in chunks of
//              rows (lm-head.ts), still op by op: what CPU and WASM runs use.
//   webgpu     WebGPU on a hardware GPU: tfjs's shared-memory matMul family, LoRA projections with a
//              hand-written gradient, the fused decode step and the in-place AdamW (webgpu.ts)
//   tiled      WebGPU on a software adapter (SwiftShader, lavapipe): the same decode step and AdamW, with
//              register-tiled matmuls and one-invocation-per-row kernels in the training pass, which avoid
//              the workgroup memory and barriers that cost most there (tiled.ts)
//
// The flow of a run's settings:
//   config.run.fused_kernels --chooseOps(backend)--> Ops       (false: the reference, whole logits)
//   config.run.gradient_checkpointing ------------> Compute.gradientCheckpointing
//   Trainer (runCompute) -> rollout's sampleBatch({ ops }), completionLogprobs(.., compute), policyStep(..)
//   -> CausalLM.forward({ ops, checkpoint }) -> ops.linear / rmsNorm / attention / logits
//
// Weights. A projection's frozen base weight reaches the kernels only as a `Weight` (linear, logits): the
// model, the sampler and the trainer pass it through without looking inside. It is an f32 tensor [out, in]
// in Hugging Face's layout, or a bf16/f16 checkpoint's matrix kept 16-bit (model/packed.ts: two values per
// 32-bit word, half the memory): the WGSL kernels (decode, tiled matmuls) unpack it in their loads, the
// op-by-op paths unpack it for the one product that needs it, and `weightShape` gives its logical shape.
import type * as tf from '../tf.ts';
import type { Matrix } from '../model/packed.ts';
import type { ModelSpec } from '../model/spec.ts';
import type { ModelWeights } from '../model/weights.ts';
import type { LoraAdapter } from '../lora.ts';
import type { AdamW } from '../optim.ts';

/** What the decode step reads of a model (a CausalLM is one). */
export interface DecodeModel {
  readonly spec: ModelSpec;
  readonly weights: ModelWeights;
  readonly invFreq: tf.Tensor1D;
}

/** Per-layer key and value caches, [B, KV, S, hd] each, S = capacity (the model's and the decode step's). */
export interface KVCache {
  k: tf.Tensor4D[];
  v: tf.Tensor4D[];
  capacity: number;
}

/** A frozen base weight [out, in] as the kernels take it: f32, or 16-bit packed (see the header). */
export type Weight = Matrix;

/** Logical [out, in] of a weight, whatever its storage. */
export function weightShape(w: Weight): [number, number] {
  return [w.shape[0], w.shape[1]];
}

/** The LoRA branch of one projection: y += scale * (dropout(x) A^T) B^T, A [r, in], B [out, r]. */
export interface LinearLora {
  A: tf.Tensor;
  B: tf.Tensor;
  scale: number;
  /** Dropout rate on the branch's input, > 0 only while training with LoRA dropout. */
  dropout: number;
}

export type OpsKind = 'reference' | 'webgpu' | 'tiled';

export interface Ops {
  readonly kind: OpsKind;
  /** Whether the LM head's log-probabilities go in chunks of rows (never [rows, V] logits at once). */
  readonly chunkedLmHead: boolean;
  /** The training pass pads sequences on the prompt side with masked tokens to a multiple of this. */
  readonly sequenceMultiple: number;
  /** x [N, in] -> [N, out]: x W^T + bias, plus the LoRA branch when given. Differentiable in x, A, B. */
  linear(x: tf.Tensor2D, w: Weight, bias?: tf.Tensor1D, lora?: LinearLora | null): tf.Tensor2D;
  /** RMSNorm over the last axis, in f32 as Hugging Face computes it (w frozen). */
  rmsNorm<T extends tf.Tensor>(x: T, w: tf.Tensor1D, eps: number): T;
  /** q [B, H, T, hd], k and v [B, KV, S, hd] (GQA), additive bias [B, 1, T, S] -> heads' outputs [B*T, H*hd]. */
  attention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D, bias: tf.Tensor4D): tf.Tensor2D;
  /** hidden [N, D] -> logits [N, V] through the LM head [V, D]. */
  logits(hidden: tf.Tensor2D, head: Weight): tf.Tensor2D;
  /**
   * log p(target) [R] and entropy [R] of softmax(hidden head^T / temperature), differentiable in hidden.
   * Temperature 0 or 1: no scaling.
   */
  tokenLogprobs(
    hidden: tf.Tensor2D,
    head: Weight,
    targets: tf.Tensor1D,
    temperature: number,
  ): [tf.Tensor1D, tf.Tensor1D];
  /**
   * One decode step (one new token per row) writing the cache in place: logits [N, V], or null where this
   * implementation has none for the model or cache (the caller then runs the forward pass).
   */
  decodeStep(
    model: DecodeModel,
    lora: LoraAdapter | null,
    cache: KVCache,
    ids: number[],
    positions: number[],
    keyMask: number[][],
    slot: number,
  ): tf.Tensor2D | null;
  /** One AdamW update of the optimiser's variables with these gradients (in its variables' order). */
  adamwStep(opt: AdamW, grads: tf.Tensor[], lr: number): void;
}

/** How a run computes: its Ops, and whether the training pass recomputes each layer in its backward pass. */
export interface Compute {
  ops: Ops;
  /** run.gradient_checkpointing: keep only each layer's input for the backward pass (not with LoRA dropout). */
  gradientCheckpointing: boolean;
}
