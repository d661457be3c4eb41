// Model shapes the benchmark runs, with random weights. `qwen2.5-0.5b` is Qwen2.5-0.5B's architecture;
// `demo` is small enough for a CPU-only machine (software WebGPU or WASM).
import type { ModelSpec } from '../model/spec.ts';

export interface BenchShape {
  spec: ModelSpec;
  decode: { seqs: number; promptTokens: number; newTokens: number };
  train: { rows: number; promptTokens: number; completionTokens: number; microBatch: number; loraRank: number };
}

const base = {
  ropeScaling: { type: 'default' as const, factor: 1, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 },
  rmsNormEps: 1e-6,
  oBias: false,
  mlpBias: false,
  qkNorm: false,
  eosTokenIds: [],
  bosTokenId: null,
  padTokenId: 0,
};

export const BENCH_SHAPES: Record<string, BenchShape> = {
  'qwen2.5-0.5b': {
    spec: {
      ...base,
      arch: 'qwen2',
      vocabSize: 151936,
      hidden: 896,
      intermediate: 4864,
      layers: 24,
      heads: 14,
      kvHeads: 2,
      headDim: 64,
      ropeTheta: 1e6,
      tieEmbeddings: true,
      attnBias: true,
      maxPositions: 32768,
    },
    decode: { seqs: 8, promptTokens: 128, newTokens: 256 },
    train: { rows: 8, promptTokens: 128, completionTokens: 256, microBatch: 2, loraRank: 16 },
  },
  demo: {
    spec: {
      ...base,
      arch: 'qwen2',
      vocabSize: 96,
      hidden: 128,
      intermediate: 384,
      layers: 4,
      heads: 4,
      kvHeads: 2,
      headDim: 32,
      ropeTheta: 1e4,
      tieEmbeddings: true,
      attnBias: true,
      maxPositions: 512,
    },
    decode: { seqs: 8, promptTokens: 32, newTokens: 32 },
    train: { rows: 8, promptTokens: 32, completionTokens: 32, microBatch: 4, loraRank: 16 },
  },
};
