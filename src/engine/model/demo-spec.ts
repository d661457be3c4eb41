// The architecture of the bundled demo model (public/models/demo), made by `webgrpo make-demo-model`.
import type { ModelSpec } from './spec.ts';

export const DEMO_SPECIALS = ['<pad>', '<s>', '</s>'];
/** Printable ASCII and the line break: any text a user types into the demo decodes. */
export const DEMO_CHARS = [...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)), '\n'];

export const DEMO_SPEC: ModelSpec = {
  arch: 'qwen2',
  vocabSize: DEMO_SPECIALS.length + DEMO_CHARS.length,
  hidden: 64,
  intermediate: 192,
  layers: 2,
  heads: 4,
  kvHeads: 2,
  headDim: 16,
  ropeTheta: 10000,
  ropeScaling: { type: 'default', factor: 1, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 256 },
  rmsNormEps: 1e-6,
  tieEmbeddings: true,
  attnBias: true,
  oBias: false,
  mlpBias: false,
  qkNorm: false,
  maxPositions: 256,
  eosTokenIds: [2],
  bosTokenId: 1,
  padTokenId: 0,
};
