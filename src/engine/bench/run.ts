// The benchmark itself, DOM-free so that it runs in Node (Dawn or WASM) and in a browser page:
// decode tokens/s (G = 1, several prompts, LoRA active) and one GRPO training step (forward + backward +
// AdamW over micro-batches, LoRA on all seven projections): its time and its peak memory, as the WebGPU
// backend allocated buffers (gpu-memory.ts: in use plus tfjs's pool; null on CPU/WASM) and as tfjs counts
// tensors. Each phase starts with the previous phase's pooled buffers released, so its peak is its own plus
// what stays (weights, LoRA, optimiser state).
import * as tf from '../tf.ts';
import { CausalLM } from '../model/model.ts';
import type { ModelWeights, LayerWeights, WeightDtype } from '../model/weights.ts';
import type { ModelSpec } from '../model/spec.ts';
import { packTensor, type Format16, type Matrix } from '../model/packed.ts';
import { LoraAdapter } from '../lora.ts';
import { LORA_TARGETS } from '../config.ts';
import { plainSampling, sampleBatch } from '../sampler.ts';
import { AdamW } from '../optim.ts';
import { policyStep, type MicroBatch } from '../step.ts';
import { Rng } from '../rng.ts';
import { backendInfo } from '../backend.ts';
import { BENCH_SHAPES, type BenchShape } from './shapes.ts';
import { chooseOps, type Compute } from '../ops/index.ts';
import {
  gpuAllocatedBytes,
  gpuPeakBytes,
  releasePooledGpuBuffers,
  resetGpuPeak,
  trackGpuMemory,
} from '../gpu-memory.ts';

export interface BenchResult {
  device: string;
  backend: string;
  shape: string;
  layers: number;
  decode_tokens_per_s: number;
  decode_step_ms: number;
  prefill_s: number;
  train_step_s: number;
  /** Peak bytes of GPU buffers WebGPU allocated during the training step (weights included); null off WebGPU. */
  train_peak_gpu_bytes: number | null;
  /** The same during decode. */
  decode_peak_gpu_bytes: number | null;
  /** Peak tensor bytes as tfjs counts them during the training step (weights included). */
  train_peak_tensor_bytes: number;
  weights_bytes: number;
  weight_dtype: WeightDtype; // stored: the random weights are bf16 (as Qwen publishes them), kept 16-bit
  fused: boolean;
  tiled_kernels: boolean;
  gradient_checkpointing: boolean;
  decode: BenchShape['decode'];
  train: BenchShape['train'];
}

/**
 * Random weights built on the device (a small random block tiled), so no host copy of the model exists;
 * with `format`, each matrix rounded to bf16/f16 and kept packed as it is made (model.weight_dtype "stored"
 * of a 16-bit checkpoint), so no f32 copy of the whole model exists either.
 */
export function randomWeights(
  spec: ModelSpec,
  seed = 0,
  std: { embed?: number; proj?: (fanIn: number) => number } = {},
  format?: Format16,
): ModelWeights {
  let s = seed;
  const mat = (rows: number, cols: number, sd = std.proj?.(cols) ?? 0.02): Matrix => {
    const m = tf.tidy(() => {
      const block = tf.randomNormal([Math.min(rows, 64), cols], 0, sd, 'float32', ++s);
      return tf.slice(tf.tile(block, [Math.ceil(rows / block.shape[0]), 1]), [0, 0], [rows, cols]) as tf.Tensor2D;
    });
    if (!format) return m;
    const p = packTensor(m, format);
    m.dispose();
    return p;
  };
  const vec = (n: number, v = 1) => tf.fill([n], v) as tf.Tensor1D;
  const q = spec.heads * spec.headDim,
    kv = spec.kvHeads * spec.headDim;
  const layers: LayerWeights[] = Array.from({ length: spec.layers }, () => ({
    inputNorm: vec(spec.hidden),
    postNorm: vec(spec.hidden),
    q_proj: mat(q, spec.hidden),
    k_proj: mat(kv, spec.hidden),
    v_proj: mat(kv, spec.hidden),
    o_proj: mat(spec.hidden, q),
    gate_proj: mat(spec.intermediate, spec.hidden),
    up_proj: mat(spec.intermediate, spec.hidden),
    down_proj: mat(spec.hidden, spec.intermediate),
    bias: spec.attnBias ? { q_proj: vec(q, 0.01), k_proj: vec(kv, 0.01), v_proj: vec(kv, 0.01) } : {},
  }));
  const embed = mat(spec.vocabSize, spec.hidden, std.embed ?? 0.02);
  return {
    embed,
    layers,
    norm: vec(spec.hidden),
    lmHead: spec.tieEmbeddings ? embed : mat(spec.vocabSize, spec.hidden),
  };
}

const now = () => performance.now();
const ids = (rng: Rng, n: number, V: number) => Array.from({ length: n }, () => 1 + rng.int(V - 1));

export async function runBench(
  shapeName = 'qwen2.5-0.5b',
  overrides: {
    decode?: Partial<BenchShape['decode']>;
    train?: Partial<BenchShape['train']>;
    fused?: boolean;
    tiled?: boolean;
    layers?: number;
    checkpoint?: boolean;
    weightDtype?: WeightDtype;
  } = {},
  log: (m: string) => void = () => {},
): Promise<BenchResult> {
  const shape0 = BENCH_SHAPES[shapeName];
  if (!shape0) throw new Error(`unknown shape "${shapeName}": choose one of ${Object.keys(BENCH_SHAPES).join(', ')}`);
  const spec = overrides.layers ? { ...shape0.spec, layers: overrides.layers } : shape0.spec; // fewer layers: memory of the rest on a small machine
  const shape = {
    ...shape0,
    spec,
    decode: { ...shape0.decode, ...overrides.decode },
    train: { ...shape0.train, ...overrides.train },
  };
  // fused kernels, or the op-by-op reference path for ratios; tiled kernels by the adapter unless forced
  const compute: Compute = {
    ops: chooseOps({ fusedKernels: overrides.fused !== false, tiled: overrides.tiled }),
    gradientCheckpointing: overrides.checkpoint === true,
  };
  trackGpuMemory();
  const weightsBefore = tf.memory().numBytes;
  const weightDtype = overrides.weightDtype ?? 'f32';
  const model = new CausalLM(
    shape.spec,
    randomWeights(shape.spec, 0, {}, weightDtype === 'stored' ? 'bf16' : undefined),
  );
  const weightsBytes = tf.memory().numBytes - weightsBefore;
  const lora = LoraAdapter.create(
    shape.spec,
    {
      r: shape.train.loraRank,
      alpha: 2 * shape.train.loraRank,
      dropout: 0,
      targetModules: [...LORA_TARGETS],
      useRslora: false,
    },
    0,
  );
  // a non-zero B so that the LoRA path does real work in decode
  for (const v of lora.variables().filter((_, i) => i % 2 === 1)) v.assign(tf.fill(v.shape, 1e-3));
  try {
    const decode = await phase(() => benchDecode(model, lora, compute, shape.decode, log));
    const train = await phase(() => benchTrain(model, lora, compute, shape.train, log));
    const info = backendInfo();
    return {
      device: info?.device ?? tf.getBackend(),
      backend: info?.backend ?? tf.getBackend(),
      shape: shapeName,
      layers: spec.layers,
      fused: compute.ops.kind !== 'reference',
      tiled_kernels: compute.ops.kind === 'tiled',
      gradient_checkpointing: compute.gradientCheckpointing,
      ...decode.result,
      decode_peak_gpu_bytes: decode.peak,
      ...train.result,
      train_peak_gpu_bytes: train.peak,
      weights_bytes: weightsBytes,
      weight_dtype: weightDtype,
      decode: shape.decode,
      train: shape.train,
    };
  } finally {
    lora.dispose();
    model.dispose();
  }
}

/** Runs a phase from an empty buffer pool; its peak of allocated GPU bytes (null off WebGPU). */
async function phase<T>(f: () => Promise<T>): Promise<{ result: T; peak: number | null }> {
  releasePooledGpuBuffers();
  resetGpuPeak();
  const result = await f();
  return { result, peak: gpuPeakBytes() };
}

async function benchDecode(
  model: CausalLM,
  lora: LoraAdapter,
  compute: Compute,
  d: BenchShape['decode'],
  log: (m: string) => void,
) {
  const rng = new Rng(1),
    V = model.spec.vocabSize;
  const prompts = Array.from({ length: d.seqs }, () => ids(rng, d.promptTokens, V));
  const opts = plainSampling(compute.ops, 2, { temperature: 1, rng });
  await sampleBatch(model, lora, prompts, opts); // compiles the GPU programs
  const t0 = now();
  let tPrefill = 0;
  await sampleBatch(model, lora, prompts, {
    ...opts,
    maxNewTokens: d.newTokens,
    onStep: (i) => {
      if (i === 1) tPrefill = now();
    },
  });
  const total = (now() - t0) / 1000,
    prefill = (tPrefill - t0) / 1000;
  const stepMs = ((total - prefill) * 1000) / Math.max(1, d.newTokens - 1);
  log(
    `decode: ${d.seqs} x ${d.newTokens} tokens in ${total.toFixed(2)} s (prefill ${prefill.toFixed(2)} s, ${stepMs.toFixed(1)} ms/step)`,
  );
  return { decode_tokens_per_s: (d.seqs * d.newTokens) / total, decode_step_ms: stepMs, prefill_s: prefill };
}

async function benchTrain(
  model: CausalLM,
  lora: LoraAdapter,
  compute: Compute,
  t: BenchShape['train'],
  log: (m: string) => void,
) {
  const rng = new Rng(2),
    V = model.spec.vocabSize;
  const micro: MicroBatch[] = [];
  for (let r = 0; r < t.rows; r += t.microBatch) {
    const n = Math.min(t.microBatch, t.rows - r);
    const rowsIds = Array.from({ length: n }, () => ids(rng, t.promptTokens + t.completionTokens, V));
    micro.push({
      batch: { ids: rowsIds, mask: rowsIds.map((x) => x.map(() => 1)), promptLength: t.promptTokens },
      completionMask: rowsIds.map(() => Array(t.completionTokens).fill(1)),
      advantages: Array.from({ length: n }, () => rng.normal()),
    });
  }
  const opt = new AdamW(lora.variables(), { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0 });
  const settings = {
    lossType: 'dapo' as const,
    beta: 0,
    epsilonLow: 0.2,
    epsilonHigh: 0.28,
    importanceSamplingLevel: 'token' as const,
    maxCompletionLength: t.completionTokens,
    batchSequences: t.rows,
    batchTokens: t.rows * t.completionTokens,
    microBatches: micro.length,
  };
  const step = () => policyStep(model, lora, opt, micro, settings, { lr: 1e-6, maxGradNorm: 1, compute });
  try {
    await step(); // warm-up: compiles programs, allocates the optimiser state
    const t0 = now();
    await step();
    const secs = (now() - t0) / 1000;
    const prof = await tf.profile(async () => {
      await step();
      return [];
    });
    const gpu = gpuPeakBytes();
    log(
      `train step: ${t.rows} x ${t.promptTokens + t.completionTokens} tokens in ${secs.toFixed(3)} s, peak ` +
        `${(prof.peakBytes / 2 ** 30).toFixed(2)} GiB of tensors` +
        (gpu === null ? '' : `, ${(gpu / 2 ** 30).toFixed(2)} GiB of GPU buffers (${gpuAllocatedBytes()} now)`),
    );
    return { train_step_s: secs, train_peak_tensor_bytes: prof.peakBytes }; // tfjs's peak counts every live tensor
  } finally {
    opt.dispose();
  }
}
