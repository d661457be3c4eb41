// An adapter's weights as PEFT's two files, from tensors in memory (LoraAdapter.toPeft) or from a checkpoint
// (the worker's export of a saved run): adapter_config.json with what PEFT needs to apply it as we did, and
// adapter_model.safetensors. Modules padded to the largest rank (lora-peft.ts) are trimmed back to their
// own rank, with rank_pattern and alpha_pattern for those that differ; an adapter on only some layers (an
// imported one with a regex target_modules, trained further) lists its modules by their full names.
import { LORA_TARGETS, type LoraTarget } from './config.ts';
import { peftModuleName } from './lora-peft.ts';
import { writeSafetensors } from './model/safetensors.ts';

export interface LoraSettings {
  r: number;
  alpha: number;
  dropout: number;
  targetModules: LoraTarget[];
  useRslora: boolean;
}

/** One module's matrices as data: A [R, in], B [out, R], R the adapter's largest rank; its own rank and scale when they differ. */
export interface ModuleMatrices {
  layer: number;
  target: LoraTarget;
  A: Float32Array;
  B: Float32Array;
  inF: number;
  outF: number;
  R: number;
  rank?: number;
  scale?: number;
}

const ATTN = new Set<LoraTarget>(['q_proj', 'k_proj', 'v_proj', 'o_proj']);

/** PEFT's saved name of a LoRA matrix. */
export function peftName(layer: number, target: LoraTarget, which: 'A' | 'B'): string {
  return `base_model.model.model.layers.${layer}.${ATTN.has(target) ? 'self_attn' : 'mlp'}.${target}.lora_${which}.weight`;
}

/** A module name as a pattern that matches only it (its dots literal). */
const escapeName = (n: string) => n.replace(/\./g, '\\.');

/** The first `keep` of `cols` columns of [rows, cols]. */
function trimCols(x: Float32Array, rows: number, cols: number, keep: number): Float32Array {
  if (cols === keep) return Float32Array.from(x);
  const out = new Float32Array(rows * keep);
  for (let i = 0; i < rows; i++) out.set(x.subarray(i * cols, i * cols + keep), i * keep);
  return out;
}

/** PEFT's two files for these modules of a model with `layers` layers. */
export function peftFiles(
  s: LoraSettings,
  modules: ModuleMatrices[],
  layers: number,
  baseModel = '',
  revision: string | null = null,
): { config: Record<string, unknown>; weights: Uint8Array } {
  const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
  const rankPattern: Record<string, number> = {},
    alphaPattern: Record<string, number> = {};
  for (const m of modules) {
    const rank = m.rank ?? m.R,
      name = escapeName(peftModuleName(m.layer, m.target));
    // padding rows of A and columns of B (rank_pattern) are zero: the file holds the module's own rank
    tensors[peftName(m.layer, m.target, 'A')] = { shape: [rank, m.inF], data: m.A.slice(0, rank * m.inF) };
    tensors[peftName(m.layer, m.target, 'B')] = { shape: [m.outF, rank], data: trimCols(m.B, m.outF, m.R, rank) };
    if (rank !== s.r) rankPattern[name] = rank;
    const ownAlpha = m.scale === undefined ? s.alpha : m.scale * (s.useRslora ? Math.sqrt(rank) : rank);
    if (Math.abs(ownAlpha - s.alpha) > 1e-9 * Math.max(1, s.alpha)) alphaPattern[name] = ownAlpha;
  }
  const targets = LORA_TARGETS.filter((t) => modules.some((m) => m.target === t));
  const everyLayer = targets.every((t) => modules.filter((m) => m.target === t).length === layers);
  const config = {
    ...peftAdapterConfig({ ...s, targetModules: targets }, baseModel, revision),
    // PEFT matches a listed name against the end of each module's name: full names pick single modules
    target_modules: everyLayer ? targets : modules.map((m) => peftModuleName(m.layer, m.target)),
    rank_pattern: rankPattern,
    alpha_pattern: alphaPattern,
  };
  return { config, weights: writeSafetensors(tensors) };
}

/** adapter_config.json with the fields PEFT writes for a plain LoRA adapter; `revision`: the base model's commit. */
export function peftAdapterConfig(
  s: LoraSettings,
  baseModel: string,
  revision: string | null = null,
): Record<string, unknown> {
  return {
    alpha_pattern: {},
    auto_mapping: null,
    base_model_name_or_path: baseModel || null,
    bias: 'none',
    fan_in_fan_out: false,
    inference_mode: true,
    init_lora_weights: true,
    layer_replication: null,
    layers_pattern: null,
    layers_to_transform: null,
    loftq_config: {},
    lora_alpha: s.alpha,
    lora_bias: false,
    lora_dropout: s.dropout,
    megatron_config: null,
    megatron_core: 'megatron.core',
    modules_to_save: null,
    peft_type: 'LORA',
    r: s.r,
    rank_pattern: {},
    revision,
    target_modules: [...s.targetModules],
    task_type: 'CAUSAL_LM',
    use_dora: false,
    use_rslora: s.useRslora,
  };
}
