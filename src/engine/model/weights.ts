// A model's weights as tfjs tensors: each checkpoint tensor put on the device as the model keeps it
// (deviceTensor; loader.ts streams a model folder through it tensor by tensor) and assembled per layer.
// Linear weights stay in HF's [out, in] layout and are used with matMul(x, W, false, true). The matrices
// (embedding, projections, LM head) of a bf16 or f16 checkpoint stay 16-bit when `weightDtype` is
// 'stored' (packed.ts); norms and biases are always f32.
import * as tf from '../tf.ts';
import type { RunConfig } from '../config.ts';
import type { ModelSpec } from './spec.ts';
import { bf16ToF32, f16ToF32, type StDtype, type StTensor } from './safetensors.ts';
import { ModelFilesError } from './source.ts';
import { dense, isPacked, Packed16, packRaw, packTensor, type Format16, type Matrix } from './packed.ts';
import { uploadNow } from '../tfjs-internals.ts';

/** How the frozen matrices are kept on the device (model.weight_dtype): 'stored' keeps a bf16/f16 checkpoint 16-bit. */
export type WeightDtype = RunConfig['model']['weight_dtype'];

export interface LayerWeights {
  inputNorm: tf.Tensor1D;
  postNorm: tf.Tensor1D;
  q_proj: Matrix;
  k_proj: Matrix;
  v_proj: Matrix;
  o_proj: Matrix;
  gate_proj: Matrix;
  up_proj: Matrix;
  down_proj: Matrix;
  bias: Partial<Record<'q_proj' | 'k_proj' | 'v_proj' | 'o_proj' | 'gate_proj' | 'up_proj' | 'down_proj', tf.Tensor1D>>;
  qNorm?: tf.Tensor1D;
  kNorm?: tf.Tensor1D;
}

export interface ModelWeights {
  embed: Matrix; // [V, D]
  layers: LayerWeights[];
  norm: tf.Tensor1D; // [D]
  lmHead: Matrix; // [V, D]; the same tensor as embed when tied
}

const PROJECTIONS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;

export interface LoadProgress {
  file: string;
  loaded: number;
  total: number;
}

/** A weight as the model keeps it on the device: f32, or a 16-bit matrix packed two values to a word. */
export type DeviceTensor = tf.Tensor | Packed16;

/** The checkpoint tensors the model uses (lm_head.weight only when the embeddings are not tied). */
export function weightNames(spec: ModelSpec): Set<string> {
  const names = ['model.embed_tokens.weight', 'model.norm.weight'];
  if (!spec.tieEmbeddings) names.push('lm_head.weight');
  for (let i = 0; i < spec.layers; i++) {
    const p = `model.layers.${i}.`;
    names.push(`${p}input_layernorm.weight`, `${p}post_attention_layernorm.weight`);
    for (const n of ['q_proj', 'k_proj', 'v_proj', 'o_proj'] as const)
      names.push(`${p}self_attn.${n}.weight`, `${p}self_attn.${n}.bias`);
    for (const n of ['gate_proj', 'up_proj', 'down_proj'] as const)
      names.push(`${p}mlp.${n}.weight`, `${p}mlp.${n}.bias`);
    if (spec.qkNorm) names.push(`${p}self_attn.q_norm.weight`, `${p}self_attn.k_norm.weight`);
  }
  return new Set(names);
}

/** The frozen matrices, which 16-bit storage applies to (norms and biases stay f32). */
const isMatrix = (name: string, shape: number[]) =>
  shape.length === 2 &&
  (name.endsWith('_proj.weight') || name.endsWith('embed_tokens.weight') || name === 'lm_head.weight');

type Entry = [string, { dtype: StDtype; shape: number[] }];

/**
 * The 16-bit format these tensors' matrices share: bf16 when every one is bf16 (f16 when every one is f16)
 * with an even number of columns; null when they do not share one; undefined when there is no matrix.
 */
export function matrixFormat(entries: Iterable<Entry>): Format16 | null | undefined {
  const mats = [...entries].filter(([n, t]) => isMatrix(n, t.shape));
  if (!mats.length) return undefined;
  const dt = mats[0][1].dtype;
  if ((dt !== 'BF16' && dt !== 'F16') || mats.some(([, t]) => t.dtype !== dt || t.shape[1] % 2)) return null;
  return dt === 'BF16' ? 'bf16' : 'f16';
}

/**
 * The 16-bit format the matrices keep with `weightDtype` 'stored': that of the checkpoint when every matrix
 * is bf16 (or every one f16) with an even number of columns; otherwise null (all f32).
 */
export function storedFormat(entries: Iterable<Entry>, weightDtype: WeightDtype): Format16 | null {
  return weightDtype === 'f32' ? null : (matrixFormat(entries) ?? null);
}

/**
 * One checkpoint tensor on the current backend as the model keeps it: a matrix of 16-bit values packed when
 * `format` is its format, anything else f32. Under WebGPU it goes to the GPU at once (the host copy can go).
 */
export function deviceTensor(name: string, t: StTensor, format: Format16 | null): DeviceTensor {
  const bits = t.data instanceof Uint16Array ? t.data : null;
  if (!bits) {
    const x = tf.tensor(
      t.data as Float32Array | Int32Array,
      t.shape,
      t.data instanceof Int32Array ? 'int32' : 'float32',
    );
    uploadNow(x);
    return x;
  }
  const own: Format16 = t.dtype === 'F16' ? 'f16' : 'bf16';
  if (format === own && isMatrix(name, t.shape) && t.shape[1] % 2 === 0) {
    const p = packRaw(bits, t.shape, own);
    uploadNow(p.data);
    return p;
  }
  if (tf.getBackend() === 'webgpu' && isMatrix(name, t.shape) && t.shape[1] % 2 === 0) {
    // widened on the GPU: half the bytes go up, and no f32 copy of the matrix is made on the host
    const p = packRaw(bits, t.shape, own);
    uploadNow(p.data);
    const x = dense(p);
    p.dispose();
    return x;
  }
  const x = tf.tensor(own === 'bf16' ? bf16ToF32(bits) : f16ToF32(bits), t.shape, 'float32');
  uploadNow(x);
  return x;
}

/**
 * The model's weights from its tensors on the device (by checkpoint name). Throws ModelFilesError naming a
 * missing weight, after disposing every tensor given; tensors the model does not use are disposed.
 */
export function assembleWeights(spec: ModelSpec, placed: Map<string, DeviceTensor>): ModelWeights {
  const used = new Set<string>();
  const get = (name: string): DeviceTensor => {
    const t = placed.get(name);
    if (!t) {
      for (const x of placed.values()) x.dispose();
      throw new ModelFilesError(`weight ${name} is missing from the safetensors files`);
    }
    used.add(name);
    return t;
  };
  const take = (name: string) => get(name) as tf.Tensor1D;
  const mat = (name: string) => get(name) as Matrix;
  const opt = (name: string) => (placed.has(name) ? take(name) : undefined);
  const layers: LayerWeights[] = [];
  for (let i = 0; i < spec.layers; i++) {
    const p = `model.layers.${i}.`;
    const bias: LayerWeights['bias'] = {};
    for (const n of ['q_proj', 'k_proj', 'v_proj', 'o_proj'] as const) bias[n] = opt(`${p}self_attn.${n}.bias`);
    for (const n of ['gate_proj', 'up_proj', 'down_proj'] as const) bias[n] = opt(`${p}mlp.${n}.bias`);
    layers.push({
      inputNorm: take(`${p}input_layernorm.weight`),
      postNorm: take(`${p}post_attention_layernorm.weight`),
      q_proj: mat(`${p}self_attn.q_proj.weight`),
      k_proj: mat(`${p}self_attn.k_proj.weight`),
      v_proj: mat(`${p}self_attn.v_proj.weight`),
      o_proj: mat(`${p}self_attn.o_proj.weight`),
      gate_proj: mat(`${p}mlp.gate_proj.weight`),
      up_proj: mat(`${p}mlp.up_proj.weight`),
      down_proj: mat(`${p}mlp.down_proj.weight`),
      bias,
      qNorm: spec.qkNorm ? opt(`${p}self_attn.q_norm.weight`) : undefined,
      kNorm: spec.qkNorm ? opt(`${p}self_attn.k_norm.weight`) : undefined,
    });
  }
  const embed = mat('model.embed_tokens.weight');
  const lmHead = spec.tieEmbeddings ? embed : mat('lm_head.weight');
  const norm = take('model.norm.weight');
  for (const [k, t] of placed) if (!used.has(k)) t.dispose();
  return { embed, layers, norm, lmHead };
}

/**
 * Moves weights read whole (loadModelFiles) onto the current tfjs backend; 16-bit matrices stay packed with
 * 'stored'. A model load streams instead (loader.ts: loadWeights); this serves tools and tests that edit the
 * values first.
 */
export function uploadWeights(
  spec: ModelSpec,
  tensors: Map<string, StTensor>,
  weightDtype: WeightDtype = 'stored',
): ModelWeights {
  const format = storedFormat(tensors, weightDtype),
    wanted = weightNames(spec);
  const placed = new Map<string, DeviceTensor>();
  try {
    for (const [k, t] of tensors) if (wanted.has(k)) placed.set(k, deviceTensor(k, t, format));
  } catch (e) {
    for (const x of placed.values()) x.dispose();
    throw e;
  }
  return assembleWeights(spec, placed);
}

/**
 * A copy of the weights with every matrix rounded to `format` and packed (or, with 'f32', unpacked to f32):
 * the 16-bit model of a checkpoint and the f32 model of exactly its values, for parity checks and the bench.
 * Norms and biases are shared (cloned) with the original.
 */
export function convertWeights(w: ModelWeights, format: Format16 | 'f32'): ModelWeights {
  const conv = (m: Matrix): Matrix =>
    format === 'f32'
      ? isPacked(m)
        ? dense(m)
        : tf.clone(m)
      : isPacked(m)
        ? m.format === format
          ? new Packed16(tf.clone(m.data), format)
          : packTensor(
              tf.tidy(() => dense(m)),
              format,
            )
        : packTensor(m, format);
  const layers = w.layers.map((l) => {
    const out = { ...l, inputNorm: tf.clone(l.inputNorm), postNorm: tf.clone(l.postNorm) } as LayerWeights;
    for (const n of PROJECTIONS) out[n] = conv(l[n]);
    out.bias = Object.fromEntries(Object.entries(l.bias).map(([k, b]) => [k, b && tf.clone(b)]));
    if (l.qNorm) out.qNorm = tf.clone(l.qNorm);
    if (l.kNorm) out.kNorm = tf.clone(l.kNorm);
    return out;
  });
  const embed = conv(w.embed);
  return { embed, layers, norm: tf.clone(w.norm), lmHead: w.lmHead === w.embed ? embed : conv(w.lmHead) };
}

/** Bytes the frozen weights hold on the device. */
export function weightBytes(w: ModelWeights): number {
  return allTensors(w).reduce((s, t) => s + t.size * 4, 0);
}

function allTensors(w: ModelWeights): tf.Tensor[] {
  const t = (m: Matrix) => (isPacked(m) ? m.data : m);
  const all: tf.Tensor[] = [t(w.embed), w.norm];
  if (w.lmHead !== w.embed) all.push(t(w.lmHead));
  for (const l of w.layers) {
    all.push(l.inputNorm, l.postNorm, ...PROJECTIONS.map((n) => t(l[n])));
    if (l.qNorm) all.push(l.qNorm);
    if (l.kNorm) all.push(l.kNorm);
    for (const b of Object.values(l.bias)) if (b) all.push(b);
  }
  return all;
}

export function disposeWeights(w: ModelWeights): void {
  tf.dispose(allTensors(w));
}
