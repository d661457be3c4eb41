// Loads a Hugging Face model folder (config.json + model.safetensors or a sharded index) into tfjs tensors.
// Linear weights stay in HF's [out, in] layout and are used with matMul(x, W, false, true). The matrices
// (embedding, projections, LM head) of a bf16 or f16 checkpoint stay 16-bit when `weightDtype` is
// 'stored' (packed.ts); norms and biases are always f32.
import * as tf from '../tf.ts';
import { parseModelSpec, type ModelSpec } from './spec.ts';
import { bf16ToF32, f16ToF32, readSafetensors, type StTensor } from './safetensors.ts';
import { readJson, ModelFilesError, type FileSource } from './source.ts';
import { dense, isPacked, Packed16, packRaw, packTensor, type Format16, type Matrix } from './packed.ts';

/** How the frozen matrices are kept on the device: 'stored' keeps a bf16/f16 checkpoint 16-bit. */
export type WeightDtype = 'stored' | 'f32';

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

/** Reads config.json, generation_config.json and the safetensors shards of a model folder. */
export async function loadModelFiles(
  src: FileSource,
  onProgress?: (p: LoadProgress) => void,
): Promise<{ spec: ModelSpec; tensors: Map<string, StTensor> }> {
  const cfg = await readJson(src, 'config.json');
  if (!cfg) throw new ModelFilesError(`${src.where} has no config.json: is this a Hugging Face model folder?`);
  const gen = (await readJson(src, 'generation_config.json')) ?? {};
  const spec = parseModelSpec(cfg, gen);
  const index = await readJson(src, 'model.safetensors.index.json');
  const files = index
    ? [...new Set(Object.values(index.weight_map as Record<string, string>))].sort()
    : ['model.safetensors'];
  const tensors = new Map<string, StTensor>();
  for (const file of files) {
    const bytes = await src.read(file, (loaded, total) => onProgress?.({ file, loaded, total }));
    if (!bytes) throw new ModelFilesError(`${src.where}/${file} is missing: webgrpo needs safetensors weights`);
    for (const [k, v] of readSafetensors(bytes, undefined, { keep16: true })) tensors.set(k, v);
  }
  if (!tensors.has('lm_head.weight') && !spec.tieEmbeddings) spec.tieEmbeddings = true;
  return { spec, tensors };
}

/**
 * The 16-bit format the matrices keep with `weightDtype` 'stored': that of the checkpoint when every matrix
 * is bf16 (or every one f16) with an even number of columns; otherwise null (all f32).
 */
export function storedFormat(tensors: Map<string, StTensor>, weightDtype: WeightDtype): Format16 | null {
  if (weightDtype === 'f32') return null;
  const mats = [...tensors.entries()].filter(
    ([n, t]) =>
      t.shape.length === 2 &&
      (n.endsWith('_proj.weight') || n.endsWith('embed_tokens.weight') || n === 'lm_head.weight'),
  );
  const dt = mats[0]?.[1].dtype;
  if ((dt !== 'BF16' && dt !== 'F16') || mats.some(([, t]) => t.dtype !== dt || t.shape[1] % 2)) return null;
  return dt === 'BF16' ? 'bf16' : 'f16';
}

/** Moves the weights onto the current tfjs backend (the GPU under WebGPU); 16-bit matrices stay packed with 'stored'. */
export function uploadWeights(
  spec: ModelSpec,
  tensors: Map<string, StTensor>,
  weightDtype: WeightDtype = 'stored',
): ModelWeights {
  const format = storedFormat(tensors, weightDtype);
  const get = (name: string): StTensor => {
    const t = tensors.get(name);
    if (!t) throw new ModelFilesError(`weight ${name} is missing from the safetensors files`);
    return t;
  };
  const take = (name: string): tf.Tensor => {
    const t = get(name);
    if (!(t.data instanceof Uint16Array)) return tf.tensor(t.data as Float32Array, t.shape, 'float32');
    return tf.tensor(t.dtype === 'BF16' ? bf16ToF32(t.data) : f16ToF32(t.data), t.shape, 'float32');
  };
  const mat = (name: string): Matrix => {
    const t = get(name);
    return format && t.data instanceof Uint16Array ? packRaw(t.data, t.shape, format) : (take(name) as tf.Tensor2D);
  };
  const opt = (name: string) => (tensors.has(name) ? (take(name) as tf.Tensor1D) : undefined);
  const layers: LayerWeights[] = [];
  for (let i = 0; i < spec.layers; i++) {
    const p = `model.layers.${i}.`;
    const bias: LayerWeights['bias'] = {};
    for (const n of ['q_proj', 'k_proj', 'v_proj', 'o_proj'] as const) bias[n] = opt(`${p}self_attn.${n}.bias`);
    for (const n of ['gate_proj', 'up_proj', 'down_proj'] as const) bias[n] = opt(`${p}mlp.${n}.bias`);
    layers.push({
      inputNorm: take(`${p}input_layernorm.weight`) as tf.Tensor1D,
      postNorm: take(`${p}post_attention_layernorm.weight`) as tf.Tensor1D,
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
  return { embed, layers, norm: take('model.norm.weight') as tf.Tensor1D, lmHead };
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
