// Estimates of the GPU memory a run needs, so that a model that cannot fit is refused before loading
// (with what to change) instead of failing half-way. Figures are f32 bytes of the tensors the engine
// allocates; the WebGPU backend pools buffers, so real use is somewhat higher.
import { paramCount, type ModelSpec } from './model/spec.ts';
import type { BackendInfo } from './backend.ts';

export class ModelTooLargeError extends Error {
  readonly name = 'ModelTooLargeError';
}

export interface MemoryEstimate {
  weights: number; // frozen base weights
  lora: number; // adapter + AdamW moments (x3)
  kvCache: number; // sampling cache of all rows
  activations: number; // training forward/backward of one micro-batch, LM head chunk included
  total: number;
  largestTensor: number; // the biggest single buffer (usually the embedding)
}

export interface RunShape {
  rows: number;
  promptTokens: number;
  completionTokens: number;
  microBatch: number;
  loraRank: number;
  loraTargets: number;
  checkpointing?: boolean; // run.gradient_checkpointing: one layer's activations plus every layer's input
  wholeLogits?: boolean; // run.fused_kernels false: the LM head holds [rows, V] logits, not chunks
}

/** Bytes of f32 logits the LM head of the training pass holds at a time (lm-head.ts). */
export const LM_HEAD_CHUNK_BYTES = 64 * 2 ** 20;

/** Rows per chunk so that one chunk's f32 logits stay within LM_HEAD_CHUNK_BYTES. */
export function lmHeadChunkRows(vocabSize: number): number {
  return Math.max(1, Math.floor(LM_HEAD_CHUNK_BYTES / (4 * vocabSize)));
}

export function estimateMemory(spec: ModelSpec, s: RunShape): MemoryEstimate {
  const f = 4,
    T = s.promptTokens + s.completionTokens;
  const weights = paramCount(spec) * f;
  const perLayerLora = s.loraRank * (spec.hidden * 2 + spec.intermediate) * (s.loraTargets / 7) * 2 * 2;
  const lora = perLayerLora * spec.layers * f * 3;
  const kvCache = 2 * spec.layers * s.rows * spec.kvHeads * T * spec.headDim * f * 2; // cache + its rewrite
  const perLayerToken = 6 * spec.hidden + 3 * spec.intermediate + spec.heads * T;
  const perToken = s.checkpointing ? perLayerToken + spec.layers * spec.hidden : spec.layers * perLayerToken;
  const headRows = s.microBatch * s.completionTokens;
  const head = s.wholeLogits
    ? 15 * headRows * spec.vocabSize * f
    : 6 * Math.min(headRows, lmHeadChunkRows(spec.vocabSize)) * spec.vocabSize * f;
  const activations = s.microBatch * T * perToken * f + head;
  const largestTensor = spec.vocabSize * spec.hidden * f;
  return { weights, lora, kvCache, activations, total: weights + lora + Math.max(kvCache, activations), largestTensor };
}

const GiB = 2 ** 30;

/** Throws ModelTooLargeError when the estimate cannot fit the adapter's limits or the given budget. */
export function assertFits(est: MemoryEstimate, info: BackendInfo | null, budgetBytes?: number): void {
  const g = (b: number) => `${(b / GiB).toFixed(2)} GB`;
  const bind = info?.maxStorageBufferBindingSize;
  if (bind && est.largestTensor > bind) {
    throw new ModelTooLargeError(
      `the embedding needs ${g(est.largestTensor)} in one GPU buffer, this adapter allows ${g(bind)}; pick a smaller model`,
    );
  }
  if (budgetBytes && est.total > budgetBytes) {
    throw new ModelTooLargeError(
      `needs about ${g(est.total)} of GPU memory (weights ${g(est.weights)}, training ${g(est.activations)}), the budget is ${g(budgetBytes)}; pick a smaller model, a smaller micro_batch_size or a shorter max_completion_length`,
    );
  }
}
