// The forward pass of a decoder-only transformer (Qwen2, Llama, Qwen3), with optional LoRA and KV cache.
// One implementation for all three: the differences are flags of ModelSpec. Works on token ids only.
//
//   const model = await CausalLM.load(dirSource('path/to/model'))
//   const { hidden } = model.forward({ ids, positions, keyMask, ops })   // hidden [B, T, D], final norm applied
//   const logits = model.logits(hidden2d, ops)                            // [N, V]
//
// The hardware-dependent operations (projections, RMSNorm, attention, the LM head) are the caller's Ops
// (ops/ops.ts), chosen once per run; so is gradient checkpointing (`checkpoint`).
//
// Positions come from the attention mask (cumsum - 1), as Hugging Face's generate computes them, so that
// left-padded rows see the same rotary phases in sampling and in the training forward pass.
import * as tf from '../tf.ts';
import { LORA_TARGETS, type LoraTarget } from '../config.ts';
import type { LoraAdapter } from '../lora.ts';
import { ropeInvFreq, type ModelSpec } from './spec.ts';
import { loadWeights } from './loader.ts';
import {
  disposeWeights,
  type WeightDtype,
  type LayerWeights,
  type LoadProgress,
  type ModelWeights,
} from './weights.ts';
import type { FileSource } from './source.ts';
import { assertFits, estimateMemory } from '../memory.ts';
import { backendInfo } from '../backend.ts';
import type { KVCache, Ops } from '../ops/ops.ts';
import { gatherRows, type Matrix } from './packed.ts';
import { withoutActiveTape } from '../tfjs-internals.ts';

export type { KVCache };

export interface ForwardInput {
  ids: tf.Tensor2D; // [B, T] int32
  positions: tf.Tensor2D; // [B, T] int32 rotary positions
  keyMask: tf.Tensor2D; // [B, S] float32: 1 where a key may be attended (S = T, or the cache capacity)
  ops: Ops;
  lora?: LoraAdapter | null;
  /** Gradient checkpointing (run.gradient_checkpointing): recompute each layer in the backward pass instead
   * of keeping its activations. Ignored with a cache, and with LoRA dropout in training (the recomputed
   * layer would draw other masks). */
  checkpoint?: boolean;
  cache?: KVCache; // when given, the T new keys are written at slots offset..offset+T-1
  offset?: number;
}

export interface ForwardOutput {
  hidden: tf.Tensor3D;
  cache?: KVCache;
}

const NEG = -1e9; // additive mask; finite so fully masked (padding) rows give no NaN

export class CausalLM {
  /** Rotary inverse frequencies [hd / 2] (the fused decode step builds its rope table from them too). */
  readonly invFreq: tf.Tensor1D;

  constructor(
    readonly spec: ModelSpec,
    readonly weights: ModelWeights,
  ) {
    this.invFreq = tf.tensor1d(ropeInvFreq(spec));
  }

  /**
   * Loads a model folder, streaming each weight to the device as it arrives (loader.ts); with `weightDtype`
   * 'stored' (the default) a bf16/f16 checkpoint stays 16-bit.
   */
  static async load(
    src: FileSource,
    onProgress?: (p: LoadProgress) => void,
    o: { weightDtype?: WeightDtype } = {},
  ): Promise<CausalLM> {
    const { spec, weights } = await loadWeights(src, {
      weightDtype: o.weightDtype ?? 'stored',
      onProgress,
      // refuse before uploading: a tensor larger than one GPU binding fails obscurely later
      beforeMatrices: (spec, format) =>
        assertFits(
          estimateMemory(spec, {
            rows: 1,
            promptTokens: 1,
            completionTokens: 1,
            microBatch: 1,
            loraRank: 1,
            loraTargets: 0,
            weightBytes: format ? 2 : 4,
          }),
          backendInfo(),
        ),
    });
    return new CausalLM(spec, weights);
  }

  /** Empty caches for B rows and `capacity` positions. */
  newCache(B: number, capacity: number): KVCache {
    const s = this.spec,
      shape: [number, number, number, number] = [B, s.kvHeads, capacity, s.headDim];
    return {
      k: Array.from({ length: s.layers }, () => tf.zeros(shape)),
      v: Array.from({ length: s.layers }, () => tf.zeros(shape)),
      capacity,
    };
  }

  forward(inp: ForwardInput): ForwardOutput {
    return tf.tidy(() => {
      const T = inp.ids.shape[1];
      const offset = inp.offset ?? 0;
      const bias = attentionBias(inp.keyMask, T, offset); // [B, 1, T, S]
      const [cos, sin] = this.rope(inp.positions); // [B, 1, T, hd]
      let x = embedLookup(this.weights.embed, inp.ids) as tf.Tensor3D; // [B, T, D]
      const k: tf.Tensor4D[] = [],
        v: tf.Tensor4D[] = [];
      const checkpoint = inp.checkpoint && !inp.cache && !(inp.lora?.training && inp.lora.settings.dropout > 0);
      const ops = inp.ops;
      this.weights.layers.forEach((w, l) => {
        if (checkpoint) {
          x = this.checkpointedBlock(x, w, l, { bias, cos, sin, ops, lora: inp.lora });
          return;
        }
        const cached = inp.cache ? { k: inp.cache.k[l], v: inp.cache.v[l], offset } : undefined;
        const out = this.block(x, w, l, { bias, cos, sin, ops, cached, lora: inp.lora });
        x = out.x;
        if (out.k) {
          k.push(out.k);
          v.push(out.v!);
        }
      });
      const hidden = ops.rmsNorm(x, this.weights.norm, this.spec.rmsNormEps);
      return { hidden, cache: inp.cache ? { k, v, capacity: inp.cache.capacity } : undefined };
    });
  }

  /** One decoder layer: attention and MLP with their residuals (and the layer's new cache when cached). */
  private block(
    x: tf.Tensor3D,
    w: LayerWeights,
    l: number,
    ctx: AttnContext,
  ): { x: tf.Tensor3D; k?: tf.Tensor4D; v?: tf.Tensor4D } {
    const eps = this.spec.rmsNormEps;
    const a = this.attention(ctx.ops.rmsNorm(x, w.inputNorm, eps), w, l, ctx);
    const h = tf.add(x, a.out) as tf.Tensor3D;
    return { x: tf.add(h, this.mlp(ctx.ops.rmsNorm(h, w.postNorm, eps), w, l, ctx)), k: a.k, v: a.v };
  }

  /**
   * A layer whose activations are not kept for the backward pass: only its input is, and the backward pass
   * runs the layer again to take its gradients (to x and to the layer's LoRA A and B). One more forward per
   * layer buys memory that no longer grows with the layers' intermediate activations.
   */
  private checkpointedBlock(x: tf.Tensor3D, w: LayerWeights, l: number, ctx: AttnContext): tf.Tensor3D {
    const lora = ctx.lora ?? null;
    const names = lora ? LORA_TARGETS.filter((n) => lora.get(l, n)) : [];
    const vars = names.flatMap((n) => [lora!.get(l, n)!.A, lora!.get(l, n)!.B]);
    // the adapter as seen by the layer, with this layer's A and B replaced by the given tensors
    const withPairs = (ts: tf.Tensor[]): LoraAdapter | null => {
      if (!lora) return null;
      const pairs = new Map(names.map((n, i) => [n, { A: ts[2 * i], B: ts[2 * i + 1] }]));
      return Object.create(lora, {
        get: { value: (ll: number, n: LoraTarget) => (ll === l ? pairs.get(n) : lora.get(ll, n)) },
      }) as LoraAdapter;
    };
    const run = (xi: tf.Tensor3D, ts: tf.Tensor[], c: Pick<AttnContext, 'bias' | 'cos' | 'sin'>) =>
      this.block(xi, w, l, { ...c, ops: ctx.ops, lora: withPairs(ts) }).x;
    const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const xi = args[0] as tf.Tensor3D,
        ts = args.slice(1, 1 + vars.length) as tf.Tensor[];
      const save = args[1 + vars.length] as tf.GradSaveFunc;
      // the attention bias and rotary tables belong to the caller's scope, which ends before the backward pass
      save([xi, ctx.bias, ctx.cos, ctx.sin]);
      return {
        value: tf.tidy(() => run(xi, ts, ctx)),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
          const [xs, bias, cos, sin] = saved as [tf.Tensor3D, tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
          return withoutActiveTape(() =>
            tf.grads((...inputs: tf.Tensor[]) => run(inputs[0] as tf.Tensor3D, inputs.slice(1), { bias, cos, sin }))(
              [xs, ...vars],
              dy,
            ),
          );
        },
      };
    });
    return f(x, ...vars) as tf.Tensor3D;
  }

  /** Logits [N, V] of hidden states [N, D]. */
  logits(hidden2d: tf.Tensor2D, ops: Ops): tf.Tensor2D {
    return ops.logits(hidden2d, this.weights.lmHead);
  }

  private rope(positions: tf.Tensor2D): [tf.Tensor4D, tf.Tensor4D] {
    const [B, T] = positions.shape;
    const ang = tf.mul(tf.expandDims(tf.cast(positions, 'float32'), 2), this.invFreq.reshape([1, 1, -1])); // [B, T, hd/2]
    const emb = tf.concat([ang, ang], 2).reshape([B, 1, T, this.spec.headDim]);
    return [tf.cos(emb) as tf.Tensor4D, tf.sin(emb) as tf.Tensor4D];
  }

  private attention(
    x: tf.Tensor3D,
    w: LayerWeights,
    l: number,
    ctx: AttnContext,
  ): { out: tf.Tensor3D; k?: tf.Tensor4D; v?: tf.Tensor4D } {
    const s = this.spec,
      [B, T] = x.shape;
    const heads = (t: tf.Tensor2D, n: number, norm?: tf.Tensor1D) => {
      let h = t.reshape([B, T, n, s.headDim]);
      if (norm) h = ctx.ops.rmsNorm(h, norm, s.rmsNormEps);
      return tf.transpose(h, [0, 2, 1, 3]) as tf.Tensor4D; // [B, n, T, hd]
    };
    const x2 = x.reshape([B * T, s.hidden]) as tf.Tensor2D;
    const q = applyRope(heads(this.linear(x2, w, l, 'q_proj', ctx), s.heads, w.qNorm), ctx.cos, ctx.sin);
    let k = applyRope(heads(this.linear(x2, w, l, 'k_proj', ctx), s.kvHeads, w.kNorm), ctx.cos, ctx.sin);
    let v = heads(this.linear(x2, w, l, 'v_proj', ctx), s.kvHeads);
    if (ctx.cached) {
      k = writeCache(ctx.cached.k, k, ctx.cached.offset);
      v = writeCache(ctx.cached.v, v, ctx.cached.offset);
    }
    const o2 = ctx.ops.attention(q, k, v, ctx.bias); // [B*T, H*hd]
    const out = this.linear(o2, w, l, 'o_proj', ctx).reshape([B, T, s.hidden]) as tf.Tensor3D;
    return ctx.cached ? { out, k, v } : { out };
  }

  private mlp(x: tf.Tensor3D, w: LayerWeights, l: number, ctx: AttnContext): tf.Tensor3D {
    const [B, T, D] = x.shape;
    const x2 = x.reshape([B * T, D]) as tf.Tensor2D;
    const g = this.linear(x2, w, l, 'gate_proj', ctx),
      u = this.linear(x2, w, l, 'up_proj', ctx);
    const h = tf.mul(tf.mul(g, tf.sigmoid(g)), u) as tf.Tensor2D; // SiLU(gate) * up
    return this.linear(h, w, l, 'down_proj', ctx).reshape([B, T, D]);
  }

  /** x [N, in] -> [N, out]: base projection, its bias, and the LoRA update when the adapter covers it. */
  private linear(x: tf.Tensor2D, w: LayerWeights, l: number, name: LoraTarget, ctx: AttnContext): tf.Tensor2D {
    const a = ctx.lora,
      pair = a?.get(l, name);
    const lora = a && pair ? { ...pair, scale: a.scaleOf(pair), dropout: a.training ? a.settings.dropout : 0 } : null;
    return ctx.ops.linear(x, w[name], w.bias[name], lora);
  }

  dispose(): void {
    disposeWeights(this.weights);
    this.invFreq.dispose();
  }
}

interface AttnContext {
  bias: tf.Tensor4D;
  cos: tf.Tensor4D;
  sin: tf.Tensor4D;
  ops: Ops;
  cached?: { k: tf.Tensor4D; v: tf.Tensor4D; offset: number };
  lora?: LoraAdapter | null;
}

/**
 * Embedding rows of token ids, with no gradient (the embedding is frozen). A plain tf.gather recorded for
 * autodiff would keep the whole [V, D] embedding as a saved input, which tfjs counts as that much more
 * memory for the backward pass (about 0.5 GB for Qwen2.5-0.5B).
 */
function embedLookup(embed: Matrix, ids: tf.Tensor): tf.Tensor {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({
    value: gatherRows(embed, args[0] as tf.Tensor),
    gradFunc: () => [tf.zerosLike(args[0] as tf.Tensor)],
  }));
  return f(ids);
}

function applyRope(x: tf.Tensor4D, cos: tf.Tensor4D, sin: tf.Tensor4D): tf.Tensor4D {
  const half = x.shape[3] / 2;
  const [x1, x2] = tf.split(x, [half, half], 3);
  const rotated = tf.concat([tf.neg(x2), x1], 3); // rotate_half
  return tf.add(tf.mul(x, cos), tf.mul(rotated, sin)) as tf.Tensor4D;
}

/** [B, 1, T, S] additive bias: query i (slot offset + i) sees key j when j <= offset + i and keyMask[b, j] = 1. */
function attentionBias(keyMask: tf.Tensor2D, T: number, offset: number): tf.Tensor4D {
  const [B, S] = keyMask.shape;
  const qSlot = tf.add(tf.range(0, T, 1, 'int32'), offset).reshape([T, 1]);
  const causal = tf.cast(tf.lessEqual(tf.range(0, S, 1, 'int32').reshape([1, S]), qSlot), 'float32'); // [T, S]
  const allowed = tf.mul(causal.reshape([1, 1, T, S]), keyMask.reshape([B, 1, 1, S]));
  return tf.mul(tf.sub(1, allowed), NEG) as tf.Tensor4D;
}

/** Writes new [B, KV, T, hd] keys into a [B, KV, S, hd] cache at slots offset..offset+T-1 (a new tensor). */
function writeCache(cache: tf.Tensor4D, fresh: tf.Tensor4D, offset: number): tf.Tensor4D {
  const S = cache.shape[2],
    T = fresh.shape[2];
  const padded = tf.pad(fresh, [
    [0, 0],
    [0, 0],
    [offset, S - offset - T],
    [0, 0],
  ]);
  const slot = tf.range(0, S, 1, 'int32');
  const inWindow = tf.logicalAnd(tf.greaterEqual(slot, offset), tf.less(slot, offset + T)).reshape([1, 1, S, 1]);
  return tf.where(tf.broadcastTo(inWindow, cache.shape), padded, cache) as tf.Tensor4D;
}

/** Rotary positions from a [B, T] 0/1 mask: cumsum - 1, with padding positions set to 1 (as HF generate). */
export function positionsFromMask(mask: number[][]): number[][] {
  return mask.map((row) => {
    let p = -1;
    return row.map((m) => (m ? ++p : 1));
  });
}
