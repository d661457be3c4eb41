// The model presets of the picker, with their architectures (copied from each model's config.json) so the
// memory estimate is known before anything is downloaded.
import { DEMO_SPEC } from '../../worker/shared.ts';
import type { ModelSpec } from '../../engine/model/spec.ts';

const base = {
  ropeScaling: {
    type: 'default' as const,
    factor: 1,
    lowFreqFactor: 1,
    highFreqFactor: 4,
    originalMaxPositions: 32768,
  },
  rmsNormEps: 1e-6,
  oBias: false,
  mlpBias: false,
  eosTokenIds: [],
  bosTokenId: null,
  padTokenId: null,
  maxPositions: 32768,
  storedDtype: 'bf16' as const, // every preset but the demo is published in bf16
};
const qwen = (hidden: number, inter: number, layers: number, heads: number, kv: number, tie: boolean): ModelSpec => ({
  ...base,
  arch: 'qwen2',
  vocabSize: 151936,
  hidden,
  intermediate: inter,
  layers,
  heads,
  kvHeads: kv,
  headDim: hidden / heads,
  ropeTheta: 1e6,
  tieEmbeddings: tie,
  attnBias: true,
  qkNorm: false,
});
const smol = (hidden: number, inter: number, layers: number, heads: number, kv: number): ModelSpec => ({
  ...base,
  arch: 'llama',
  vocabSize: 49152,
  hidden,
  intermediate: inter,
  layers,
  heads,
  kvHeads: kv,
  headDim: hidden / heads,
  ropeTheta: 1e5,
  tieEmbeddings: true,
  attnBias: false,
  qkNorm: false,
});

export const MODEL_PRESETS: { id: string; title: string; spec: ModelSpec }[] = [
  { id: 'demo', title: 'Bundled demo model (tiny, offline)', spec: DEMO_SPEC },
  { id: 'HuggingFaceTB/SmolLM2-135M-Instruct', title: 'SmolLM2-135M-Instruct', spec: smol(576, 1536, 30, 9, 3) },
  { id: 'HuggingFaceTB/SmolLM2-360M-Instruct', title: 'SmolLM2-360M-Instruct', spec: smol(960, 2560, 32, 15, 5) },
  { id: 'Qwen/Qwen2.5-0.5B-Instruct', title: 'Qwen2.5-0.5B-Instruct', spec: qwen(896, 4864, 24, 14, 2, true) },
  { id: 'Qwen/Qwen2.5-1.5B-Instruct', title: 'Qwen2.5-1.5B-Instruct', spec: qwen(1536, 8960, 28, 12, 2, true) },
  {
    id: 'Qwen/Qwen2.5-Coder-1.5B-Instruct',
    title: 'Qwen2.5-Coder-1.5B-Instruct',
    spec: qwen(1536, 8960, 28, 12, 2, true),
  },
  {
    id: 'Qwen/Qwen3-0.6B',
    title: 'Qwen3-0.6B',
    spec: {
      ...base,
      arch: 'qwen3',
      vocabSize: 151936,
      hidden: 1024,
      intermediate: 3072,
      layers: 28,
      heads: 16,
      kvHeads: 8,
      headDim: 128,
      ropeTheta: 1e6,
      tieEmbeddings: true,
      attnBias: false,
      qkNorm: true,
    },
  },
];
