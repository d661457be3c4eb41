// WGSL of the fused decode step (one new token per row, N rows). Every builder returns code for runKernel
// (program.ts); sizes are constants in the code. Conventions: X is [N, K] row-major, linear weights are in
// HF's [out, in] layout, LoRA down products Dn are [N, DR] (several targets side by side), LoRA up
// matrices Bu are [out, r]. Each output column is computed by one invocation for all N rows, so a weight
// row is read once per step (not once per row), which is what bounds decode on a large GPU. A weight may be
// 16-bit packed (model/packed.ts: [out, in / 2] words), read a word (two values) at a time.
import { f32 } from './program.ts';
import { unpackWgsl, type Format16 } from '../model/packed.ts';

/** The unpack functions (`u_bf16`, `u_f16`) that code using these formats needs. */
export function unpackFns(formats: Array<Format16 | undefined>): string {
  return [...new Set(formats.filter((f) => f))].map((f) => unpackWgsl(f!, `u_${f}`)).join('\n');
}

/** Up to this many rows share one invocation's accumulators; more rows take more invocations. */
export const ROW_BLOCK = 8;

/** RMSNorm of each row: one workgroup of 64 per row, a tree reduction for the mean of squares. */
export function rmsNormCode(D: number, eps: number): string {
  return `
var<workgroup> part: array<f32, 64>;
fn main(index: i32) {
  let row = index / 64; let lid = index % 64;
  var s = 0.0;
  for (var i = lid; i < ${D}; i += 64) { let v = X[row * ${D} + i]; s += v * v; }
  part[lid] = s;
  workgroupBarrier();
  for (var w = 32; w > 0; w /= 2) { if (lid < w) { part[lid] += part[lid + w]; } workgroupBarrier(); }
  let r = inverseSqrt(part[0] / ${f32(D)} + ${f32(eps)});
  for (var i = lid; i < ${D}; i += 64) { result[row * ${D} + i] = X[row * ${D} + i] * r * G[i]; }
}`;
}

/** LoRA down products of several targets at once: result[n, t*R + j] = sum_i X[n, i] A_t[j, i]. */
export function loraDownCode(N: number, K: number, R: number, targets: number): string {
  const pick = Array.from({ length: targets }, (_, t) => `if (t == ${t}) { a = A${t}[j * ${K} + i]; }`).join(' else ');
  return `
fn main(index: i32) {
  if (index >= ${targets * R}) { return; }
  let t = index / ${R}; let j = index % ${R};
  for (var n = 0; n < ${N}; n++) {
    var s = 0.0;
    for (var i = 0; i < ${K}; i++) { var a = 0.0; ${pick} s += X[n * ${K} + i] * a; }
    result[n * ${targets * R} + index] = s;
  }
}`;
}

export interface LinearTerm {
  w: string; // weight input name, [O, K]
  packed?: Format16; // the weight is 16-bit packed, [O, K / 2] words
  bias?: string; // [O]
  lora?: { up: string; down: string; offset: number; stride: number; R: number; scale: number };
}

/** Code that adds term(row n0+m, column o) into acc[m] for m < rows, reading each weight once. */
function accumulate(t: LinearTerm, K: number, acc: string): string {
  let s = t.packed
    ? `
  for (var i = 0; i < ${K / 2}; i++) {
    let w = u_${t.packed}(${t.w}[o * ${K / 2} + i]);
    for (var m = 0; m < rows; m++) { let xi = (n0 + m) * ${K} + 2 * i; ${acc}[m] += X[xi] * w.x + X[xi + 1] * w.y; }
  }`
    : `
  for (var i = 0; i < ${K}; i++) {
    let w = ${t.w}[o * ${K} + i];
    for (var m = 0; m < rows; m++) { ${acc}[m] += X[(n0 + m) * ${K} + i] * w; }
  }`;
  if (t.bias) s += `\n  for (var m = 0; m < rows; m++) { ${acc}[m] += ${t.bias}[o]; }`;
  const l = t.lora;
  if (l)
    s += `
  for (var m = 0; m < rows; m++) {
    var d = 0.0;
    for (var j = 0; j < ${l.R}; j++) { d += ${l.down}[(n0 + m) * ${l.stride} + ${l.offset} + j] * ${l.up}[o * ${l.R} + j]; }
    ${acc}[m] += d * ${f32(l.scale)};
  }`;
  return s;
}

/**
 * result[n, o] = X W^T + bias + scale * Dn Bu^T (+ Res[n, o]); with `gate`, SiLU(gate term) * (up term),
 * the SwiGLU of the MLP. One invocation per (column, block of rows).
 */
export function linearCode(
  N: number,
  K: number,
  O: number,
  main: LinearTerm,
  o: { gate?: LinearTerm; residual?: boolean },
): string {
  const blocks = Math.ceil(N / ROW_BLOCK);
  const store = o.gate
    ? 'let g = accG[m]; result[(n0 + m) * OUTC + o] = g / (1.0 + exp(-g)) * acc[m];'
    : `result[(n0 + m) * OUTC + o] = acc[m]${o.residual ? ' + Res[(n0 + m) * OUTC + o]' : ''};`;
  return `${unpackFns([main.packed, o.gate?.packed])}
const OUTC = ${O};
fn main(index: i32) {
  if (index >= ${O * blocks}) { return; }
  let o = index % OUTC; let n0 = (index / OUTC) * ${ROW_BLOCK};
  let rows = min(${ROW_BLOCK}, ${N} - n0);
  var acc: array<f32, ${ROW_BLOCK}>;
  ${o.gate ? `var accG: array<f32, ${ROW_BLOCK}>;${accumulate(o.gate, K, 'accG')}` : ''}
  ${accumulate(main, K, 'acc')}
  for (var m = 0; m < rows; m++) { ${store} }
}`;
}

export interface HeadProj {
  hd: number;
  heads: number;
  D: number;
  bias: boolean;
  norm: boolean;
  eps: number;
  lora?: { offset: number; stride: number; R: number; scale: number };
  packed?: Format16; // W is 16-bit packed
}

/**
 * One head's projection of row b into shared `hv` (hd values): x W_h^T + bias + LoRA, then the per-head
 * RMSNorm (Qwen3's q_norm/k_norm) and rotary embedding when `rope`. Every invocation of the workgroup must
 * call it (it has barriers). Inputs: X [N, D], W, Bias, Dn, Bu, Nw (norm weight), Rope [N, hd] (cos of the
 * hd/2 angles, then their sin). WebGPU guarantees only 8 storage buffers per kernel, and this is 7 plus the output.
 */
export function headProjCode(p: HeadProj, rope: boolean, WG: number): string {
  const half = p.hd / 2,
    l = p.lora;
  const product = p.packed
    ? `for (var i = 0; i < ${p.D / 2}; i++) { let w = u_${p.packed}(W[o * ${p.D / 2} + i]); let xi = b * ${p.D} + 2 * i; s += X[xi] * w.x + X[xi + 1] * w.y; }`
    : `for (var i = 0; i < ${p.D}; i++) { s += X[b * ${p.D} + i] * W[o * ${p.D} + i]; }`;
  return `${unpackFns([p.packed])}
var<workgroup> hv: array<f32, ${p.hd}>;
var<workgroup> red: array<f32, ${WG}>;
fn projectHead(b: i32, h: i32, lid: i32) {
  for (var e = lid; e < ${p.hd}; e += ${WG}) {
    let o = h * ${p.hd} + e;
    var s = 0.0;
    ${product}
    ${p.bias ? 's += Bias[o];' : ''}
    ${l ? `var d = 0.0; for (var j = 0; j < ${l.R}; j++) { d += Dn[b * ${l.stride} + ${l.offset} + j] * Bu[o * ${l.R} + j]; } s += d * ${f32(l.scale)};` : ''}
    hv[e] = s;
  }
  workgroupBarrier();
  ${
    p.norm
      ? `
  var ss = 0.0;
  for (var e = lid; e < ${p.hd}; e += ${WG}) { ss += hv[e] * hv[e]; }
  red[lid] = ss;
  workgroupBarrier();
  var tot = 0.0;
  for (var w = 0; w < ${WG}; w++) { tot += red[w]; }
  let r = inverseSqrt(tot / ${f32(p.hd)} + ${f32(p.eps)});
  workgroupBarrier();
  for (var e = lid; e < ${p.hd}; e += ${WG}) { hv[e] = hv[e] * r * Nw[e]; }
  workgroupBarrier();`
      : ''
  }
  ${
    rope
      ? `
  var lo: array<f32, ${Math.ceil(half / WG)}>; var hi: array<f32, ${Math.ceil(half / WG)}>;
  for (var e = lid; e < ${half}; e += ${WG}) {
    let c = Rope[b * ${p.hd} + e]; let s = Rope[b * ${p.hd} + ${half} + e];
    lo[e / ${WG}] = hv[e] * c - hv[e + ${half}] * s;
    hi[e / ${WG}] = hv[e + ${half}] * c + hv[e] * s;
  }
  workgroupBarrier();
  for (var e = lid; e < ${half}; e += ${WG}) { hv[e] = lo[e / ${WG}]; hv[e + ${half}] = hi[e / ${WG}]; }
  workgroupBarrier();`
      : ''
  }
}`;
}

/**
 * Projects row b's head h (rotated when `rope`) into the output: a [N, heads, S, hd] KV cache at slot
 * `uniforms.slot`, written in place (`cacheSlots` = S), or the [N, heads * hd] queries (`cacheSlots` = 0).
 */
export function headWriteCode(p: HeadProj, rope: boolean, cacheSlots: number, WG: number): string {
  const at = cacheSlots
    ? `((b * ${p.heads} + h) * ${cacheSlots} + uniforms.slot) * ${p.hd} + e`
    : `(b * ${p.heads} + h) * ${p.hd} + e`;
  return `${headProjCode(p, rope, WG)}
fn main(index: i32) {
  let wg = index / ${WG}; let lid = index % ${WG};
  let b = wg / ${p.heads}; let h = wg % ${p.heads};
  projectHead(b, h, lid);
  for (var e = lid; e < ${p.hd}; e += ${WG}) { result[${at}] = hv[e]; }
}`;
}

/**
 * Query head h of row b (Q [N, H * hd], already rotated) attending over cache slots 0..slot with the key
 * mask: scores scaled by 1/sqrt(hd), masked keys get -1e9 added (as the reference's additive bias),
 * softmax, weighted sum of values. Output [N, H * hd], the layout o_proj reads.
 */
export function attentionCode(hd: number, heads: number, kvHeads: number, S: number, WG: number): string {
  const rep = heads / kvHeads;
  return `
var<workgroup> hv: array<f32, ${hd}>;
var<workgroup> red: array<f32, ${WG}>;
var<workgroup> sc: array<f32, ${S}>;
fn main(index: i32) {
  let wg = index / ${WG}; let lid = index % ${WG};
  let b = wg / ${heads}; let h = wg % ${heads}; let kvh = h / ${rep};
  for (var e = lid; e < ${hd}; e += ${WG}) { hv[e] = Q[(b * ${heads} + h) * ${hd} + e]; }
  workgroupBarrier();
  let n = uniforms.slot + 1;
  let base = (b * ${kvHeads} + kvh) * ${S};
  var mx = -3.0e38;
  for (var s = lid; s < n; s += ${WG}) {
    var d = 0.0;
    for (var e = 0; e < ${hd}; e++) { d += hv[e] * Kc[(base + s) * ${hd} + e]; }
    let v = d * ${f32(1 / Math.sqrt(hd))} + (1.0 - Mask[b * ${S} + s]) * -1.0e9;
    sc[s] = v; mx = max(mx, v);
  }
  red[lid] = mx;
  workgroupBarrier();
  var m = -3.0e38;
  for (var w = 0; w < ${WG}; w++) { m = max(m, red[w]); }
  workgroupBarrier();
  var sum = 0.0;
  for (var s = lid; s < n; s += ${WG}) { let e = exp(sc[s] - m); sc[s] = e; sum += e; }
  red[lid] = sum;
  workgroupBarrier();
  var tot = 0.0;
  for (var w = 0; w < ${WG}; w++) { tot += red[w]; }
  for (var e = lid; e < ${hd}; e += ${WG}) {
    var acc = 0.0;
    for (var s = 0; s < n; s++) { acc += sc[s] * Vc[(base + s) * ${hd} + e]; }
    result[b * ${heads * hd} + h * ${hd} + e] = acc / tot;
  }
}`;
}
