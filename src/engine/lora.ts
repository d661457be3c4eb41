// LoRA adapters on the attention and MLP projections, in PEFT's layout and naming, so that PEFT loads the
// adapters we export and we load PEFT's. y = x W^T + scale * dropout(x) A^T B^T, A [r, in], B [out, r],
// scale = alpha / r (alpha / sqrt(r) with rsLoRA). Initialised as PEFT does: A ~ U(-1/sqrt(in), 1/sqrt(in))
// (kaiming-uniform with a = sqrt(5)), B = 0, so a new adapter leaves the model unchanged.
// Switching `enabled` off gives the reference policy for the KL term without a second copy of the weights.
import * as tf from './tf.ts';
import { LORA_TARGETS, type LoraTarget } from './config.ts';
import type { ModelSpec } from './model/spec.ts';
import { Rng } from './rng.ts';
import { readSafetensors } from './model/safetensors.ts';
import { LoraFormatError, planPeftModules } from './lora-peft.ts';
import { peftFiles, peftName, type LoraSettings, type ModuleMatrices } from './lora-export.ts';

export type { LoraSettings } from './lora-export.ts';
export { peftAdapterConfig, peftName } from './lora-export.ts';

/** Which modules an adapter has, with each one's own rank and scale where they differ from the adapter's. */
export interface LoraLayout {
  layers: number;
  modules: { key: string; rank?: number; scale?: number }[];
}

export interface LoraPair {
  A: tf.Variable; // [R, in], R the adapter's largest rank (rows past `rank` are zero)
  B: tf.Variable; // [out, R]
  /** This module's own rank and scale when they differ from the adapter's (rank_pattern, alpha_pattern). */
  rank?: number;
  scale?: number;
}

export { LoraFormatError };

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

  /** A new adapter on every layer's target modules, or on the modules of `layout` (a saved run's). */
  static create(spec: ModelSpec, settings: LoraSettings, seed: number, layout?: LoraLayout): LoraAdapter {
    const rng = new Rng(seed);
    const pairs = new Map<string, LoraPair>();
    const own = new Map(layout?.modules.map((m) => [m.key, m]));
    for (let l = 0; l < spec.layers; l++) {
      for (const t of LORA_TARGETS.filter((x) => settings.targetModules.includes(x))) {
        const m = own.get(`${l}.${t}`);
        if (layout && !m) continue;
        const [inF, outF] = projShape(spec, t);
        const bound = 1 / Math.sqrt(inF);
        const a = Float32Array.from({ length: settings.r * inF }, () => (2 * rng.next() - 1) * bound);
        pairs.set(`${l}.${t}`, {
          A: tf.tidy(() => tf.variable(tf.tensor2d(a, [settings.r, inF]), true)), // tidy frees the initial value
          B: tf.tidy(() => tf.variable(tf.zeros([outF, settings.r]), true)),
          ...(m?.rank !== undefined ? { rank: m.rank, scale: m.scale } : {}),
        });
      }
    }
    return new LoraAdapter(spec, settings, pairs);
  }

  /** The modules and their own ranks and scales, or null when the adapter is on every layer at one rank and scale. */
  layout(): LoraLayout | null {
    const modules = [...this.pairs].map(([key, p]) => ({
      key,
      ...(p.rank !== undefined ? { rank: p.rank, scale: p.scale } : {}),
    }));
    const uniform = modules.every((m) => m.rank === undefined);
    return uniform && modules.length === this.spec.layers * this.settings.targetModules.length
      ? null
      : { layers: this.spec.layers, modules };
  }

  /**
   * Loads a PEFT adapter folder's two files as PEFT applies them (lora-peft.ts: target_modules as a list,
   * "all-linear" or a regex, rank_pattern and alpha_pattern), or refuses what it cannot apply.
   */
  static fromPeft(
    spec: ModelSpec,
    config: Record<string, unknown>,
    weights: Uint8Array,
    dropout = Number(config.lora_dropout ?? 0),
  ): LoraAdapter {
    const plan = planPeftModules(config, spec.layers);
    const r = Number(config.r),
      alpha = Number(config.lora_alpha ?? r);
    const rslora = config.use_rslora === true;
    const settings: LoraSettings = {
      r,
      alpha,
      dropout,
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
    const modules: ModuleMatrices[] = [];
    for (const [key, pair] of this.pairs) {
      const [layer, target] = splitKey(key);
      const [outF, R] = pair.B.shape as [number, number];
      modules.push({
        layer,
        target,
        A: (await pair.A.data()) as Float32Array,
        B: (await pair.B.data()) as Float32Array,
        inF: pair.A.shape[1] as number,
        outF,
        R,
        rank: pair.rank,
        scale: pair.scale,
      });
    }
    return peftFiles(this.settings, modules, this.spec.layers, baseModel, revision);
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

function splitKey(key: string): [number, LoraTarget] {
  const [l, t] = key.split('.');
  return [Number(l), t as LoraTarget];
}
