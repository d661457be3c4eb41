// The fused decode step: one new token for each of N rows through the whole model in about a dozen
// dispatches per layer (the op-by-op forward takes about a hundred), with the new keys and values written
// into the KV cache in place (no tf.where rewrite of the whole cache). Same cache layout as the reference
// forward (model.ts: [N, KV, S, hd] per layer), so the prompt is prefilled by the reference path and then
// decoded here. Per layer:
//   norm -> LoRA down (q,k,v) -> K write, V write -> attention (q proj + RoPE + softmax over the cache)
//   -> LoRA down (o) -> o_proj + residual -> norm -> LoRA down (gate, up) -> SwiGLU -> LoRA down (down)
//   -> down_proj + residual
// Limits: no LoRA dropout (decode never trains); the cache capacity must fit workgroup memory
// (MAX_FUSED_CAPACITY slots), else the caller keeps the reference path.
import * as tf from '../tf.ts';
import type { DecodeModel, KVCache } from '../ops/ops.ts';
import type { LoraAdapter } from '../lora.ts';
import type { LoraTarget } from '../config.ts';
import type { LayerWeights } from '../model/weights.ts';
import { runKernel } from './program.ts';
import { gatherRows, isPacked, type Matrix } from '../model/packed.ts';
import {
  attentionCode,
  headWriteCode,
  linearCode,
  loraDownCode,
  rmsNormCode,
  ROW_BLOCK,
  type HeadProj,
  type LinearTerm,
} from './decode-wgsl.ts';

/** 16 KiB of workgroup memory holds the scores of this many slots beside the head's vector. */
export const MAX_FUSED_CAPACITY = 3584;

const WG = 64;

export function fusedDecodeSupported(model: DecodeModel, capacity: number): boolean {
  // MLP biases would make the SwiGLU kernel bind 9 buffers, past WebGPU's guaranteed 8 (no supported arch has them)
  return capacity <= MAX_FUSED_CAPACITY && model.spec.headDim % 2 === 0 && !model.spec.mlpBias;
}

interface Ctx {
  model: DecodeModel;
  lora: LoraAdapter | null;
  N: number;
  slot: number;
  rope: tf.Tensor;
  mask: tf.Tensor;
  cache: KVCache;
}

/**
 * Logits [N, V] of the next token for ids [N] at rotary positions [N], writing their keys and values at
 * cache slot `slot`. keyMask [N, S] must already mark `slot` as visible.
 */
export function fusedDecodeStep(
  model: DecodeModel,
  lora: LoraAdapter | null,
  cache: KVCache,
  ids: number[],
  positions: number[],
  keyMask: number[][],
  slot: number,
): tf.Tensor2D {
  return tf.tidy(() => {
    const N = ids.length;
    const ctx: Ctx = {
      model,
      lora,
      N,
      slot,
      cache,
      rope: ropeTable(model, positions),
      mask: tf.tensor2d(keyMask, undefined, 'float32'),
    };
    let x = gatherRows(model.weights.embed, tf.tensor1d(ids, 'int32')); // [N, D]
    model.weights.layers.forEach((w, l) => {
      x = layer(ctx, x, w, l);
    });
    const h = norm(ctx, x, model.weights.norm);
    const head = model.weights.lmHead;
    return linear(ctx, h, { w: 'W', packed: formatOf(head) }, { W: head }) as tf.Tensor2D; // [N, V]
  });
}

function layer(c: Ctx, x: tf.Tensor, w: LayerWeights, l: number): tf.Tensor {
  const xn = norm(c, x, w.inputNorm);
  const qkv = down(c, xn, l, ['q_proj', 'k_proj', 'v_proj']);
  writeCache(c, xn, w, l, qkv, 'k_proj', c.cache.k[l]);
  writeCache(c, xn, w, l, qkv, 'v_proj', c.cache.v[l]);
  const att = attend(c, xn, w, l, qkv); // [N, H * hd]
  const od = down(c, att, l, ['o_proj']);
  const x1 = linear(
    c,
    att,
    term(c, w, l, 'o_proj', od, 'W', 'Bias', 'Bu'),
    { W: w.o_proj, Bias: w.bias.o_proj, Bu: pairB(c, l, 'o_proj'), Dn: od?.t, Res: x },
    { residual: true },
  );
  const hn = norm(c, x1, w.postNorm);
  const gu = down(c, hn, l, ['gate_proj', 'up_proj']);
  const h = linear(
    c,
    hn,
    term(c, w, l, 'up_proj', gu, 'W', 'Bias', 'Bu'),
    {
      W: w.up_proj,
      Bias: w.bias.up_proj,
      Bu: pairB(c, l, 'up_proj'),
      Wg: w.gate_proj,
      Bg: w.bias.gate_proj,
      Ug: pairB(c, l, 'gate_proj'),
      Dn: gu?.t,
    },
    { gate: term(c, w, l, 'gate_proj', gu, 'Wg', 'Bg', 'Ug') },
  ); // [N, I]
  const dd = down(c, h, l, ['down_proj']);
  return linear(
    c,
    h,
    term(c, w, l, 'down_proj', dd, 'W', 'Bias', 'Bu'),
    { W: w.down_proj, Bias: w.bias.down_proj, Bu: pairB(c, l, 'down_proj'), Dn: dd?.t, Res: x1 },
    { residual: true },
  );
}

function norm(c: Ctx, x: tf.Tensor, g: tf.Tensor1D): tf.Tensor {
  const D = x.shape[1]!,
    eps = c.model.spec.rmsNormEps;
  return runKernel({
    key: `rmsnorm_${D}_${eps}`,
    code: rmsNormCode(D, eps),
    inputs: { X: x, G: g },
    outShape: [c.N, D],
    workgroups: c.N,
    workgroupSize: 64,
  });
}

interface Down {
  t: tf.Tensor;
  offsets: Partial<Record<LoraTarget, number>>;
  stride: number;
  R: number;
}

const pairB = (c: Ctx, l: number, t: LoraTarget) => c.lora?.get(l, t)?.B;

/** LoRA down products x A^T of the targets the adapter covers in this layer, side by side; null if none. */
function down(c: Ctx, x: tf.Tensor, l: number, targets: LoraTarget[]): Down | null {
  const have = c.lora ? targets.filter((t) => c.lora!.get(l, t)) : [];
  if (!have.length) return null;
  const R = c.lora!.get(l, have[0])!.A.shape[0], // every pair is padded to the adapter's largest rank
    K = x.shape[1]!;
  const inputs: Record<string, tf.Tensor> = { X: x };
  have.forEach((t, i) => {
    inputs[`A${i}`] = c.lora!.get(l, t)!.A;
  });
  const t = runKernel({
    key: `loradown_${c.N}_${K}_${R}_${have.length}`,
    code: loraDownCode(c.N, K, R, have.length),
    inputs,
    outShape: [c.N, have.length * R],
    workgroups: Math.ceil((have.length * R) / 64),
    workgroupSize: 64,
  });
  return { t, offsets: Object.fromEntries(have.map((h, i) => [h, i * R])), stride: have.length * R, R };
}

/** The LinearTerm of one projection: weight, its bias when present, its LoRA when the adapter covers it. */
function term(
  c: Ctx,
  w: LayerWeights,
  l: number,
  t: LoraTarget,
  d: Down | null,
  wName: string,
  bName: string,
  uName: string,
): LinearTerm {
  const off = d?.offsets[t];
  return {
    w: wName,
    packed: formatOf(w[t]),
    bias: w.bias[t] ? bName : undefined,
    lora:
      d && off !== undefined
        ? { up: uName, down: 'Dn', offset: off, stride: d.stride, R: d.R, scale: c.lora!.scaleOf(c.lora!.get(l, t)!) }
        : undefined,
  };
}

function linear(
  c: Ctx,
  x: tf.Tensor,
  main: LinearTerm,
  inputs: Record<string, tf.Tensor | Matrix | undefined>,
  o: { gate?: LinearTerm; residual?: boolean } = {},
): tf.Tensor {
  const K = x.shape[1]!,
    O = inputs.W!.shape[0];
  const code = linearCode(c.N, K, O, main, o);
  const used = pickUsed(code, { X: x, ...inputs });
  const blocks = Math.ceil(c.N / ROW_BLOCK);
  return runKernel({
    key: `linear_${hash(code)}`,
    code,
    inputs: used,
    outShape: [c.N, O],
    workgroups: Math.ceil((O * blocks) / 64),
    workgroupSize: 64,
  });
}

function headProj(
  c: Ctx,
  w: LayerWeights,
  l: number,
  t: 'q_proj' | 'k_proj' | 'v_proj',
  d: Down | null,
): { p: HeadProj; inputs: Record<string, tf.Tensor | Matrix | undefined> } {
  const s = c.model.spec,
    off = d?.offsets[t];
  const norm = t === 'q_proj' ? w.qNorm : t === 'k_proj' ? w.kNorm : undefined;
  const p: HeadProj = {
    hd: s.headDim,
    heads: t === 'q_proj' ? s.heads : s.kvHeads,
    D: s.hidden,
    bias: !!w.bias[t],
    norm: !!norm,
    eps: s.rmsNormEps,
    packed: formatOf(w[t]),
    lora:
      d && off !== undefined
        ? { offset: off, stride: d.stride, R: d.R, scale: c.lora!.scaleOf(c.lora!.get(l, t)!) }
        : undefined,
  };
  return { p, inputs: { W: w[t], Bias: w.bias[t], Dn: p.lora ? d!.t : undefined, Bu: pairB(c, l, t), Nw: norm } };
}

function writeCache(
  c: Ctx,
  xn: tf.Tensor,
  w: LayerWeights,
  l: number,
  d: Down | null,
  t: 'k_proj' | 'v_proj',
  cache: tf.Tensor4D,
): void {
  const { p, inputs } = headProj(c, w, l, t, d);
  const code = headWriteCode(p, t === 'k_proj', cache.shape[2], WG);
  const used = pickUsed(code, { X: xn, ...inputs, Rope: c.rope });
  runKernel({
    key: `kvwrite_${hash(code)}`,
    code,
    inputs: used,
    outShape: cache.shape,
    workgroups: c.N * p.heads,
    workgroupSize: WG,
    uniforms: { slot: c.slot },
    output: cache,
  });
}

/** Queries (projected, normed, rotated), then attention over the cache: two kernels, as one would need more than 8 buffers. */
function attend(c: Ctx, xn: tf.Tensor, w: LayerWeights, l: number, d: Down | null): tf.Tensor {
  const { p, inputs } = headProj(c, w, l, 'q_proj', d);
  const S = c.cache.capacity,
    s = c.model.spec;
  const qCode = headWriteCode(p, true, 0, WG);
  const q = runKernel({
    key: `qproj_${hash(qCode)}`,
    code: qCode,
    inputs: pickUsed(qCode, { X: xn, ...inputs, Rope: c.rope }),
    outShape: [c.N, s.heads * s.headDim],
    workgroups: c.N * s.heads,
    workgroupSize: WG,
  });
  const code = attentionCode(s.headDim, s.heads, s.kvHeads, S, WG);
  return runKernel({
    key: `attention_${hash(code)}`,
    code,
    inputs: { Q: q, Kc: c.cache.k[l], Vc: c.cache.v[l], Mask: c.mask },
    outShape: [c.N, s.heads * s.headDim],
    workgroups: c.N * s.heads,
    workgroupSize: WG,
    uniforms: { slot: c.slot },
  });
}

/** [N, hd]: cos of the hd/2 rotary angles of each row's position, then their sin (as the reference computes them). */
function ropeTable(model: DecodeModel, positions: number[]): tf.Tensor {
  const inv = model.invFreq;
  const ang = tf.mul(tf.tensor2d(positions, [positions.length, 1], 'int32').toFloat(), inv.reshape([1, -1]));
  return tf.concat([tf.cos(ang), tf.sin(ang)], 1);
}

/** Only the inputs the generated code reads (WGSL rejects nothing, but binding unused buffers is waste); packed weights bind their words. */
function pickUsed(code: string, inputs: Record<string, tf.Tensor | Matrix | undefined>): Record<string, tf.Tensor> {
  return Object.fromEntries(
    Object.entries(inputs)
      .filter(([n, t]) => t && new RegExp(`\\b${n}\\[`).test(code))
      .map(([n, t]) => [n, isPacked(t) ? t.data : t]),
  ) as Record<string, tf.Tensor>;
}

const formatOf = (m: Matrix) => (isPacked(m) ? m.format : undefined);

/** A short stable key of generated code (tfjs caches compiled pipelines by key). */
function hash(s: string): string {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return `${(h >>> 0).toString(36)}_${s.length}`;
}
