// Loads a Hugging Face model folder (config.json + model.safetensors or a sharded index) into tfjs tensors.
// Linear weights stay in HF's [out, in] layout and are used with matMul(x, W, false, true).
import * as tf from '../tf.ts';
import { parseModelSpec, type ModelSpec } from './spec.ts';
import { readSafetensors, type StTensor } from './safetensors.ts';
import { readJson, ModelFilesError, type FileSource } from './source.ts';

export interface LayerWeights {
  inputNorm: tf.Tensor1D;
  postNorm: tf.Tensor1D;
  q_proj: tf.Tensor2D;
  k_proj: tf.Tensor2D;
  v_proj: tf.Tensor2D;
  o_proj: tf.Tensor2D;
  gate_proj: tf.Tensor2D;
  up_proj: tf.Tensor2D;
  down_proj: tf.Tensor2D;
  bias: Partial<Record<'q_proj' | 'k_proj' | 'v_proj' | 'o_proj' | 'gate_proj' | 'up_proj' | 'down_proj', tf.Tensor1D>>;
  qNorm?: tf.Tensor1D;
  kNorm?: tf.Tensor1D;
}

export interface ModelWeights {
  embed: tf.Tensor2D; // [V, D]
  layers: LayerWeights[];
  norm: tf.Tensor1D; // [D]
  lmHead: tf.Tensor2D; // [V, D]; the same tensor as embed when tied
}

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
    for (const [k, v] of readSafetensors(bytes)) tensors.set(k, v);
  }
  if (!tensors.has('lm_head.weight') && !spec.tieEmbeddings) spec.tieEmbeddings = true;
  return { spec, tensors };
}

/** Moves the weights onto the current tfjs backend (the GPU under WebGPU). */
export function uploadWeights(spec: ModelSpec, tensors: Map<string, StTensor>): ModelWeights {
  const take = (name: string): tf.Tensor => {
    const t = tensors.get(name);
    if (!t) throw new ModelFilesError(`weight ${name} is missing from the safetensors files`);
    return tf.tensor(t.data as Float32Array, t.shape, 'float32');
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
      q_proj: take(`${p}self_attn.q_proj.weight`) as tf.Tensor2D,
      k_proj: take(`${p}self_attn.k_proj.weight`) as tf.Tensor2D,
      v_proj: take(`${p}self_attn.v_proj.weight`) as tf.Tensor2D,
      o_proj: take(`${p}self_attn.o_proj.weight`) as tf.Tensor2D,
      gate_proj: take(`${p}mlp.gate_proj.weight`) as tf.Tensor2D,
      up_proj: take(`${p}mlp.up_proj.weight`) as tf.Tensor2D,
      down_proj: take(`${p}mlp.down_proj.weight`) as tf.Tensor2D,
      bias,
      qNorm: spec.qkNorm ? opt(`${p}self_attn.q_norm.weight`) : undefined,
      kNorm: spec.qkNorm ? opt(`${p}self_attn.k_norm.weight`) : undefined,
    });
  }
  const embed = take('model.embed_tokens.weight') as tf.Tensor2D;
  const lmHead = spec.tieEmbeddings ? embed : (take('lm_head.weight') as tf.Tensor2D);
  return { embed, layers, norm: take('model.norm.weight') as tf.Tensor1D, lmHead };
}

export function disposeWeights(w: ModelWeights): void {
  const all: tf.Tensor[] = [w.embed, w.norm];
  if (w.lmHead !== w.embed) all.push(w.lmHead);
  for (const l of w.layers) {
    for (const v of Object.values(l)) if (v instanceof tf.Tensor) all.push(v);
    for (const b of Object.values(l.bias)) if (b) all.push(b);
  }
  tf.dispose(all);
}
