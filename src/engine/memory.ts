// Estimates of the GPU memory a run needs, so that a model that cannot fit is refused before loading
// (with what to change) instead of failing half-way. Figures are bytes of the tensors the engine allocates
// (f32, and 2 bytes a value for weights kept 16-bit); the WebGPU backend pools buffers, so real use is
// somewhat higher.
import { paramCount, type ModelSpec } from './model/spec.ts';
import type { BackendInfo } from './backend.ts';
import type { WeightDtype } from './model/weights.ts';

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
  weightBytes: 2 | 4; // bytes a frozen weight value takes
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
  weightBytes?: 2 | 4; // bytes a frozen weight value takes: 2 when a bf16/f16 checkpoint stays 16-bit (default 4)
}

/** Bytes a weight value takes on the device for a checkpoint of `stored` dtype and the config's model.weight_dtype. */
export function weightValueBytes(stored: ModelSpec['storedDtype'], weightDtype: WeightDtype): 2 | 4 {
  return weightDtype === 'stored' && (stored === 'bf16' || stored === 'f16') ? 2 : 4;
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
  const wb = s.weightBytes ?? 4;
  const weights = paramCount(spec) * wb; // norms and biases stay f32: a few hundred KB, within the estimate's slack
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
  const largestTensor = spec.vocabSize * spec.hidden * wb;
  const total = weights + lora + Math.max(kvCache, activations);
  return { weights, lora, kvCache, activations, total, largestTensor, weightBytes: wb };
}

const GiB = 2 ** 30;

/** Throws ModelTooLargeError when the estimate cannot fit the adapter's limits or the given budget. */
export function assertFits(est: MemoryEstimate, info: BackendInfo | null, budgetBytes?: number): void {
  const g = (b: number) => `${(b / GiB).toFixed(2)} GB`;
  const bind = info?.maxStorageBufferBindingSize;
  if (bind && est.largestTensor > bind) {
    throw new ModelTooLargeError(
      `the embedding needs ${g(est.largestTensor)} in one GPU buffer, this adapter allows ${g(bind)}; pick a smaller model${est.weightBytes === 4 ? ' (or keep a bf16/f16 checkpoint 16-bit: model.weight_dtype "stored")' : ''}`,
    );
  }
  if (budgetBytes && est.total > budgetBytes) {
    throw new ModelTooLargeError(
      `needs about ${g(est.total)} of GPU memory (weights ${g(est.weights)}, training ${g(est.activations)}), the budget is ${g(budgetBytes)}; pick a smaller model, a smaller micro_batch_size or a shorter max_completion_length${est.weightBytes === 4 ? ', or keep a bf16/f16 checkpoint 16-bit (model.weight_dtype "stored")' : ''}`,
    );
  }
}

/** A run that cannot fit, as a config problem: the field to change and by how much. */
export interface FitProblem {
  path: string;
  message: string;
}

/** Per-buffer caps of the adapter; without them (CPU, WASM) a typed array's practical limit, 2 GiB. */
export interface BufferLimits {
  maxBufferSize?: number;
  maxStorageBufferBindingSize?: number;
}

export class RunTooLargeError extends Error {
  readonly name = 'RunTooLargeError';
  constructor(readonly problems: string[]) {
    super(`this run cannot fit this GPU:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

interface FitShape {
  model?: { weight_dtype: WeightDtype };
  sampling: { max_prompt_length: number; max_completion_length: number; num_generations: number };
  run: { prompts_per_step: number; micro_batch_size: number };
}

/**
 * The largest single buffers of a run: bytes per unit as a function of the sequence length T, and the count
 * of units (sequences of a micro-batch, or rows of a step), with the fields that set that count.
 */
function bigBuffers(spec: ModelSpec, c: FitShape) {
  const mb = c.run.micro_batch_size,
    rows = c.run.prompts_per_step * c.sampling.num_generations;
  return [
    {
      what: `the attention scores of a micro-batch [${mb}, ${spec.heads}, T, T] take`,
      per: (T: number) => 4 * spec.heads * T * T,
      units: mb,
      count: 'micro_batch_size' as const,
    },
    {
      what: `one layer's KV cache [${rows}, ${spec.kvHeads}, T, ${spec.headDim}] takes`,
      per: (T: number) => 4 * spec.kvHeads * T * spec.headDim,
      units: rows,
      count: 'rows' as const,
    },
    {
      what: `the MLP activations of a micro-batch [${mb}, T, ${spec.intermediate}] take`,
      per: (T: number) => 4 * T * spec.intermediate,
      units: mb,
      count: 'micro_batch_size' as const,
    },
  ].map((b) => ({ ...b, bytes: (T: number) => b.units * b.per(T) }));
}

type BigBuffer = ReturnType<typeof bigBuffers>[number];
const GB = (b: number) => `${(b / GiB).toFixed(2)} GB`;

/** Why this run cannot fit the adapter's per-buffer limits, one problem per field to change; empty when it fits. */
export function fitProblems(spec: ModelSpec, c: FitShape, limits: BufferLimits | null): FitProblem[] {
  const cap = Math.min(limits?.maxStorageBufferBindingSize ?? 2 * GiB, limits?.maxBufferSize ?? 2 * GiB);
  const wb = weightValueBytes(spec.storedDtype, c.model?.weight_dtype ?? 'stored');
  const embedding = spec.vocabSize * spec.hidden * wb;
  if (embedding > cap) {
    const keep16 = wb === 4 && spec.storedDtype && spec.storedDtype !== 'f32';
    return [
      {
        path: keep16 ? 'model.weight_dtype' : 'model.id',
        message: `the embedding needs ${GB(embedding)} in one GPU buffer and this adapter allows ${GB(cap)}: ${keep16 ? 'keep the weights 16-bit (weight_dtype "stored") or pick a smaller model' : 'pick a smaller model'}`,
      },
    ];
  }
  const P = c.sampling.max_prompt_length,
    T = P + c.sampling.max_completion_length;
  const over = bigBuffers(spec, c).filter((b) => b.bytes(T) > cap);
  if (!over.length) return [];
  const needs = (bs: BigBuffer[]) => {
    const worst = bs.reduce((a, b) => (b.bytes(T) > a.bytes(T) ? b : a));
    return `${worst.what} ${GB(worst.bytes(T))} in one GPU buffer at T = ${T} tokens (prompt + completion), and this adapter allows ${GB(cap)}`;
  };
  // the longest T every buffer allows: each grows with T, so bisect
  let lo = 0,
    hi = T;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (over.every((b) => b.bytes(mid) <= cap)) lo = mid;
    else hi = mid - 1;
  }
  if (lo > P) {
    const most = lo - P;
    return [
      {
        path: 'sampling.max_completion_length',
        message: `${needs(over)}: lower max_completion_length by ${c.sampling.max_completion_length - most} to at most ${most}`,
      },
    ];
  }
  // no completion length fits: fewer sequences at once, if that is enough at this length
  const counts = countFixes(c, over, T, cap, needs);
  if (counts) return counts;
  return [
    {
      path: 'sampling.max_prompt_length',
      message: `${needs(over)}: lower max_prompt_length to at most ${Math.max(1, lo - 1)} (and max_completion_length with it), or lower micro_batch_size and prompts_per_step x num_generations`,
    },
  ];
}

/** The counts (micro_batch_size; num_generations or prompts_per_step) that make `over` fit at length T; null if none can. */
function countFixes(
  c: FitShape,
  over: BigBuffer[],
  T: number,
  cap: number,
  needs: (bs: BigBuffer[]) => string,
): FitProblem[] | null {
  const out: FitProblem[] = [];
  for (const count of ['micro_batch_size', 'rows'] as const) {
    const bs = over.filter((b) => b.count === count);
    if (!bs.length) continue;
    const most = Math.min(...bs.map((b) => Math.floor(cap / b.per(T))));
    if (most < 1) return null;
    const G = c.sampling.num_generations,
      prompts = c.run.prompts_per_step;
    const [path, field, now, to] =
      count === 'micro_batch_size'
        ? ['run.micro_batch_size', 'micro_batch_size', c.run.micro_batch_size, most]
        : most >= prompts
          ? ['sampling.num_generations', 'num_generations', G, Math.floor(most / prompts)]
          : ['run.prompts_per_step', 'prompts_per_step', prompts, Math.floor(most / G)];
    if (to < 1) return null; // fewer prompts than one group of num_generations: a shorter length it is
    out.push({ path, message: `${needs(bs)}: lower ${field} by ${now - to} to at most ${to}` });
  }
  return out;
}

/** Throws RunTooLargeError, naming the field to change, when the run cannot fit the backend's buffers. */
export function assertRunFits(spec: ModelSpec, c: FitShape, info: BufferLimits | null): void {
  const problems = fitProblems(spec, c, info);
  if (problems.length) throw new RunTooLargeError(problems.map((p) => `${p.path}: ${p.message}`));
}
