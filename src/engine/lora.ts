// LoRA adapters on the attention and MLP projections, in PEFT's layout and naming, so that PEFT loads the
// adapters we export and we load PEFT's. y = x W^T + scale * dropout(x) A^T B^T, A [r, in], B [out, r],
// scale = alpha / r (alpha / sqrt(r) with rsLoRA). Initialised as PEFT does: A ~ U(-1/sqrt(in), 1/sqrt(in))
// (kaiming-uniform with a = sqrt(5)), B = 0, so a new adapter leaves the model unchanged.
// Switching `enabled` off gives the reference policy for the KL term without a second copy of the weights.
import * as tf from './tf.ts';
import { LORA_TARGETS, type LoraTarget } from './config.ts';
import type { ModelSpec } from './model/spec.ts';
import { Rng } from './rng.ts';
import { readSafetensors, writeSafetensors } from './model/safetensors.ts';
import { LoraFormatError, peftModuleName, planPeftModules } from './lora-peft.ts';

export interface LoraSettings {
  r: number;
  alpha: number;
  dropout: number;
  targetModules: LoraTarget[];
  useRslora: boolean;
}

export interface LoraPair {
  A: tf.Variable; // [R, in], R the adapter's largest rank (rows past `rank` are zero)
  B: tf.Variable; // [out, R]
  /** This module's own rank and scale when they differ from the adapter's (rank_pattern, alpha_pattern). */
  rank?: number;
  scale?: number;
}

export { LoraFormatError };

const ATTN = new Set<LoraTarget>(['q_proj', 'k_proj', 'v_proj', 'o_proj']);

/** PEFT's saved name of a LoRA matrix. */
export function peftName(layer: number, target: LoraTarget, which: 'A' | 'B'): string {
  return `base_model.model.model.layers.${layer}.${ATTN.has(target) ? 'self_attn' : 'mlp'}.${target}.lora_${which}.weight`;
}

/** [in, out] features of a projection. */
export function projShape(spec: ModelSpec, t: LoraTarget): [number, number] {
  const q = spec.heads * spec.headDim,
    kv = spec.kvHeads * spec.headDim;
  const table: Record<LoraTarget, [number, number]> = {
    q_proj: [spec.hidden, q],
    k_proj: [spec.hidden, kv],
    v_proj: [spec.hidden, kv],
    o_proj: [q, spec.hidden],
    gate_proj: [spec.hidden, spec.intermediate],
    up_proj: [spec.hidden, spec.intermediate],
    down_proj: [spec.intermediate, spec.hidden],
  };
  return table[t];
}

export class LoraAdapter {
  enabled = true;
  /** Set by the trainer during backward passes; dropout applies only then. */
  training = false;
  readonly scale: number;

  private constructor(
    readonly spec: ModelSpec,
    readonly settings: LoraSettings,
    readonly pairs: Map<string, LoraPair>,
  ) {
    this.scale = settings.alpha / (settings.useRslora ? Math.sqrt(settings.r) : settings.r);
  }

  get(layer: number, target: LoraTarget): LoraPair | undefined {
    return this.enabled ? this.pairs.get(`${layer}.${target}`) : undefined;
  }

  /** The scale of one module's update: alpha / r, or that module's own from alpha_pattern/rank_pattern. */
  scaleOf(pair: LoraPair): number {
    return pair.scale ?? this.scale;
  }

  static create(spec: ModelSpec, settings: LoraSettings, seed: number): LoraAdapter {
    const rng = new Rng(seed);
    const pairs = new Map<string, LoraPair>();
    for (let l = 0; l < spec.layers; l++) {
      for (const t of LORA_TARGETS.filter((x) => settings.targetModules.includes(x))) {
        const [inF, outF] = projShape(spec, t);
        const bound = 1 / Math.sqrt(inF);
        const a = Float32Array.from({ length: settings.r * inF }, () => (2 * rng.next() - 1) * bound);
        pairs.set(`${l}.${t}`, {
          A: tf.tidy(() => tf.variable(tf.tensor2d(a, [settings.r, inF]), true)), // tidy frees the initial value
          B: tf.tidy(() => tf.variable(tf.zeros([outF, settings.r]), true)),
        });
      }
    }
    return new LoraAdapter(spec, settings, pairs);
  }

  /**
   * Loads a PEFT adapter folder's two files as PEFT applies them (lora-peft.ts: target_modules as a list,
   * "all-linear" or a regex, rank_pattern and alpha_pattern), or refuses what it cannot apply.
   */
  static fromPeft(spec: ModelSpec, config: Record<string, unknown>, weights: Uint8Array): LoraAdapter {
    const plan = planPeftModules(config, spec.layers);
    const r = Number(config.r),
      alpha = Number(config.lora_alpha ?? r);
    const rslora = config.use_rslora === true;
    const settings: LoraSettings = {
      r,
      alpha,
      dropout: Number(config.lora_dropout ?? 0),
      targetModules: LORA_TARGETS.filter((t) => plan.some((p) => p.target === t)),
      useRslora: rslora,
    };
    const R = Math.max(...plan.map((p) => p.rank));
    const tensors = readSafetensors(weights);
    const pairs = new Map<string, LoraPair>();
    for (const { layer: l, target: t, rank, alpha: a } of plan) {
      const load = (w: 'A' | 'B', shape: [number, number]) => {
        const name = peftName(l, t, w);
        const st = tensors.get(name) ?? tensors.get(name.replace('.weight', '.default.weight'));
        if (!st) throw new LoraFormatError(`adapter_model.safetensors lacks ${name}`);
        if (st.shape.join() !== shape.join())
          throw new LoraFormatError(
            `${name} has shape [${st.shape}], the model needs [${shape}]: the adapter was made for another model (or another rank_pattern)`,
          );
        return st.data as Float32Array;
      };
      const [inF, outF] = projShape(spec, t);
      const A = padRows(load('A', [rank, inF]), rank, inF, R),
        B = padCols(load('B', [outF, rank]), outF, rank, R);
      const own = a / (rslora ? Math.sqrt(rank) : rank);
      pairs.set(`${l}.${t}`, {
        A: tf.tidy(() => tf.variable(tf.tensor2d(A, [R, inF]), true)),
        B: tf.tidy(() => tf.variable(tf.tensor2d(B, [outF, R]), true)),
        ...(rank !== r || a !== alpha || R !== r ? { rank, scale: own } : {}),
      });
    }
    return new LoraAdapter(spec, settings, pairs);
  }

  /** PEFT's two files: adapter_config.json (as an object) and adapter_model.safetensors (bytes). */
  async toPeft(
    baseModel = '',
    revision: string | null = null,
  ): Promise<{ config: Record<string, unknown>; weights: Uint8Array }> {
    const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
    const rankPattern: Record<string, number> = {},
      alphaPattern: Record<string, number> = {};
    const { r, alpha, useRslora } = this.settings;
    for (const [key, pair] of this.pairs) {
      const [l, t] = splitKey(key);
      const R = pair.A.shape[0],
        rank = pair.rank ?? R;
      const [outF, inF] = [pair.B.shape[0], pair.A.shape[1]] as [number, number];
      const a = (await pair.A.data()) as Float32Array,
        b = (await pair.B.data()) as Float32Array;
      // padding rows of A and columns of B (rank_pattern) are zero: the file holds the module's own rank
      tensors[peftName(l, t, 'A')] = { shape: [rank, inF], data: a.slice(0, rank * inF) };
      tensors[peftName(l, t, 'B')] = { shape: [outF, rank], data: trimCols(b, outF, R, rank) };
      if (rank !== r) rankPattern[escapeName(peftModuleName(l, t))] = rank;
      const ownAlpha = pair.scale === undefined ? alpha : pair.scale * (useRslora ? Math.sqrt(rank) : rank);
      if (Math.abs(ownAlpha - alpha) > 1e-9 * Math.max(1, alpha))
        alphaPattern[escapeName(peftModuleName(l, t))] = ownAlpha;
    }
    const config = {
      ...peftAdapterConfig(this.settings, baseModel, revision),
      rank_pattern: rankPattern,
      alpha_pattern: alphaPattern,
    };
    return { config, weights: writeSafetensors(tensors) };
  }

  /** PEFT names of variables(), in the same order. */
  peftNames(): string[] {
    return [...this.pairs.keys()].flatMap((k) => {
      const [l, t] = splitKey(k);
      return [peftName(l, t, 'A'), peftName(l, t, 'B')];
    });
  }

  variables(): tf.Variable[] {
    return [...this.pairs.values()].flatMap((p) => [p.A, p.B]);
  }

  dispose(): void {
    tf.dispose(this.variables());
  }
}

/** [rows, cols] with zero rows added up to `to`. */
function padRows(x: Float32Array, rows: number, cols: number, to: number): Float32Array {
  if (rows === to) return x;
  const out = new Float32Array(to * cols);
  out.set(x);
  return out;
}

/** [rows, cols] with zero columns added up to `to`. */
function padCols(x: Float32Array, rows: number, cols: number, to: number): Float32Array {
  if (cols === to) return x;
  const out = new Float32Array(rows * to);
  for (let i = 0; i < rows; i++) out.set(x.subarray(i * cols, (i + 1) * cols), i * to);
  return out;
}

/** The first `keep` of `cols` columns of [rows, cols]. */
function trimCols(x: Float32Array, rows: number, cols: number, keep: number): Float32Array {
  if (cols === keep) return Float32Array.from(x);
  const out = new Float32Array(rows * keep);
  for (let i = 0; i < rows; i++) out.set(x.subarray(i * cols, i * cols + keep), i * keep);
  return out;
}

/** A module name as a pattern that matches only it (its dots literal). */
const escapeName = (n: string) => n.replace(/\./g, '\\.');

function splitKey(key: string): [number, LoraTarget] {
  const [l, t] = key.split('.');
  return [Number(l), t as LoraTarget];
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
