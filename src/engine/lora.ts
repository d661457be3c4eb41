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

export interface LoraSettings {
  r: number;
  alpha: number;
  dropout: number;
  targetModules: LoraTarget[];
  useRslora: boolean;
}

export interface LoraPair {
  A: tf.Variable;
  B: tf.Variable;
}

export class LoraFormatError extends Error {
  readonly name = 'LoraFormatError';
}

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

  /** Loads a PEFT adapter folder's two files. */
  static fromPeft(spec: ModelSpec, config: Record<string, unknown>, weights: Uint8Array): LoraAdapter {
    if (config.peft_type !== undefined && config.peft_type !== 'LORA')
      throw new LoraFormatError(`adapter peft_type is ${String(config.peft_type)}; only LORA adapters can be loaded`);
    if (config.use_dora) throw new LoraFormatError('DoRA adapters are not supported; export a plain LoRA adapter');
    const r = Number(config.r),
      alpha = Number(config.lora_alpha ?? r);
    const targets = (Array.isArray(config.target_modules) ? config.target_modules : []) as string[];
    const unknown = targets.filter((t) => !(LORA_TARGETS as readonly string[]).includes(t));
    if (unknown.length)
      throw new LoraFormatError(`adapter targets ${unknown.join(', ')}; webgrpo supports ${LORA_TARGETS.join(', ')}`);
    const settings: LoraSettings = {
      r,
      alpha,
      dropout: Number(config.lora_dropout ?? 0),
      targetModules: targets as LoraTarget[],
      useRslora: config.use_rslora === true,
    };
    const tensors = readSafetensors(weights);
    const pairs = new Map<string, LoraPair>();
    for (let l = 0; l < spec.layers; l++) {
      for (const t of settings.targetModules) {
        const load = (w: 'A' | 'B', shape: [number, number]) => {
          const name = peftName(l, t, w);
          const st = tensors.get(name) ?? tensors.get(name.replace('.weight', '.default.weight'));
          if (!st) throw new LoraFormatError(`adapter_model.safetensors lacks ${name}`);
          if (st.shape.join() !== shape.join())
            throw new LoraFormatError(
              `${name} has shape [${st.shape}], the model needs [${shape}]: the adapter was made for another model`,
            );
          return tf.tidy(() => tf.variable(tf.tensor2d(st.data as Float32Array, shape), true));
        };
        const [inF, outF] = projShape(spec, t);
        pairs.set(`${l}.${t}`, { A: load('A', [r, inF]), B: load('B', [outF, r]) });
      }
    }
    return new LoraAdapter(spec, settings, pairs);
  }

  /** PEFT's two files: adapter_config.json (as an object) and adapter_model.safetensors (bytes). */
  async toPeft(
    baseModel = '',
    revision: string | null = null,
  ): Promise<{ config: Record<string, unknown>; weights: Uint8Array }> {
    const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const [key, { A, B }] of this.pairs) {
      const [l, t] = splitKey(key);
      tensors[peftName(l, t, 'A')] = { shape: A.shape, data: (await A.data()) as Float32Array };
      tensors[peftName(l, t, 'B')] = { shape: B.shape, data: (await B.data()) as Float32Array };
    }
    return { config: peftAdapterConfig(this.settings, baseModel, revision), weights: writeSafetensors(tensors) };
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
