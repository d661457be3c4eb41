// The architecture of a causal LM, read from a Hugging Face config.json. One spec covers Qwen2, Llama and
// Qwen3: they differ only by flags (attention biases, q/k norms, tied embeddings, rope scaling).
//
//   const spec = parseModelSpec(await (await fetch(`${dir}/config.json`)).json())

export interface RopeScaling {
  type: 'default' | 'llama3' | 'linear';
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalMaxPositions: number;
}

export interface ModelSpec {
  arch: 'qwen2' | 'llama' | 'qwen3';
  vocabSize: number;
  hidden: number; // D
  intermediate: number;
  layers: number;
  heads: number; // H query heads
  kvHeads: number; // KV heads (GQA when < H)
  headDim: number;
  ropeTheta: number;
  ropeScaling: RopeScaling;
  rmsNormEps: number;
  tieEmbeddings: boolean;
  attnBias: boolean; // q/k/v biases (Qwen2; Llama's attention_bias)
  oBias: boolean; // o_proj bias (Llama's attention_bias)
  mlpBias: boolean;
  qkNorm: boolean; // Qwen3's per-head RMSNorm on q and k
  maxPositions: number;
  eosTokenIds: number[];
  bosTokenId: number | null;
  padTokenId: number | null;
  storedDtype?: 'f32' | 'bf16' | 'f16'; // config.json's torch_dtype (or dtype), when it names one of these
}

export class UnsupportedModelError extends Error {
  readonly name = 'UnsupportedModelError';
}

type Json = Record<string, unknown>;
const n = (v: unknown, d?: number): number => (typeof v === 'number' ? v : (d ?? NaN));
const ids = (v: unknown): number[] => (Array.isArray(v) ? v.map(Number) : typeof v === 'number' ? [v] : []);

export function parseModelSpec(cfg: Json, generationConfig: Json = {}): ModelSpec {
  const mt = String(cfg.model_type ?? '');
  if (mt !== 'qwen2' && mt !== 'llama' && mt !== 'qwen3') {
    throw new UnsupportedModelError(
      `model_type "${mt}" is not supported: webgrpo runs qwen2, llama and qwen3 models (Qwen2.5, SmolLM2, Llama 3.x, Qwen3)`,
    );
  }
  const heads = n(cfg.num_attention_heads),
    hidden = n(cfg.hidden_size);
  const rope = (cfg.rope_parameters ?? cfg.rope_scaling ?? {}) as Json;
  const ropeType = String(rope.rope_type ?? rope.type ?? 'default');
  if (!['default', 'llama3', 'linear'].includes(ropeType)) {
    throw new UnsupportedModelError(`rope type "${ropeType}" is not supported (default, linear and llama3 are)`);
  }
  const spec: ModelSpec = {
    arch: mt,
    vocabSize: n(cfg.vocab_size),
    hidden,
    intermediate: n(cfg.intermediate_size),
    layers: n(cfg.num_hidden_layers),
    heads,
    kvHeads: n(cfg.num_key_value_heads, heads),
    headDim: n(cfg.head_dim, hidden / heads),
    ropeTheta: n(rope.rope_theta ?? cfg.rope_theta, 10000),
    ropeScaling: {
      type: ropeType as RopeScaling['type'],
      factor: n(rope.factor, 1),
      lowFreqFactor: n(rope.low_freq_factor, 1),
      highFreqFactor: n(rope.high_freq_factor, 4),
      originalMaxPositions: n(rope.original_max_position_embeddings, 8192),
    },
    rmsNormEps: n(cfg.rms_norm_eps, 1e-6),
    tieEmbeddings: cfg.tie_word_embeddings === true, // HF's Qwen2/Llama/Qwen3 configs default to untied
    attnBias: mt === 'qwen2' ? true : cfg.attention_bias === true,
    oBias: mt === 'llama' && cfg.attention_bias === true,
    mlpBias: cfg.mlp_bias === true,
    qkNorm: mt === 'qwen3',
    maxPositions: n(cfg.max_position_embeddings, 32768),
    eosTokenIds: ids(generationConfig.eos_token_id ?? cfg.eos_token_id),
    bosTokenId: typeof cfg.bos_token_id === 'number' ? cfg.bos_token_id : null,
    padTokenId: typeof cfg.pad_token_id === 'number' ? cfg.pad_token_id : null,
  };
  const dt = { float32: 'f32', bfloat16: 'bf16', float16: 'f16' }[String(cfg.torch_dtype ?? cfg.dtype)] as
    ModelSpec['storedDtype'] | undefined;
  if (dt) spec.storedDtype = dt;
  for (const [k, v] of Object.entries(spec)) {
    if (typeof v === 'number' && !Number.isFinite(v))
      throw new UnsupportedModelError(`config.json lacks a usable ${k}`);
  }
  if (spec.heads % spec.kvHeads !== 0)
    throw new UnsupportedModelError(
      `num_attention_heads (${heads}) is not a multiple of num_key_value_heads (${spec.kvHeads})`,
    );
  return spec;
}

/** Inverse frequencies of the rotary embedding, [headDim/2], with Llama 3's or linear scaling applied. */
export function ropeInvFreq(spec: ModelSpec): Float32Array {
  const half = spec.headDim / 2;
  const out = new Float32Array(half);
  const s = spec.ropeScaling;
  for (let i = 0; i < half; i++) {
    let f = 1 / spec.ropeTheta ** ((2 * i) / spec.headDim);
    if (s.type === 'linear') f /= s.factor;
    if (s.type === 'llama3') f = llama3Scale(f, s);
    out[i] = f;
  }
  return out;
}

// Llama 3.x: long wavelengths are divided by `factor`, short ones kept, and those between interpolated.
function llama3Scale(f: number, s: RopeScaling): number {
  const lowWavelen = s.originalMaxPositions / s.lowFreqFactor;
  const highWavelen = s.originalMaxPositions / s.highFreqFactor;
  const wavelen = (2 * Math.PI) / f;
  if (wavelen < highWavelen) return f;
  if (wavelen > lowWavelen) return f / s.factor;
  const smooth = (s.originalMaxPositions / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
  return (1 - smooth) * (f / s.factor) + smooth * f;
}

/** Parameter count of the base model (for memory estimates). */
export function paramCount(spec: ModelSpec): number {
  const { hidden: d, intermediate: i, layers: l, heads: h, kvHeads: kv, headDim: hd, vocabSize: v } = spec;
  const attn = d * h * hd * 2 + d * kv * hd * 2;
  const mlp = 3 * d * i;
  return l * (attn + mlp + 2 * d) + v * d * (spec.tieEmbeddings ? 1 : 2) + d;
}
