// 16-bit weights kept 16-bit on the device: a bf16 or f16 matrix [rows, cols] is stored as an int32 tensor
// [rows, cols / 2], two values per 32-bit word (element 2k in the low half, as the checkpoint's bytes lie),
// and the kernels unpack them as they read (WGSL_UNPACK: a shift for bf16, unpack2x16float for f16), so no
// `shader-f16` feature is needed. Half the memory of f32 for the frozen base weights; the LoRA weights,
// norms, biases and every activation stay f32.
//
//   const w = packRaw(bits, [rows, cols], 'bf16')   // from the checkpoint's 16-bit values
//   const W = dense(w)                              // f32 [rows, cols], a new tensor (op-by-op paths)
//   const p = packTensor(W, 'f16')                  // rounds an f32 matrix to 16 bits (tests, bench)
//
// tfjs's own ops read int32 inputs through f32 on WebGPU, which would round the words: only the kernels
// here and in kernels/ touch the packed data (tf.clone and disposal are safe).
//
// Where no kernel reads the packed form (the CPU and WASM backends, the op-by-op reference path, shapes the
// tiled kernels do not take), `dense` unpacks a matrix for the one product that needs it.
import * as tf from '../tf.ts';
import { f16ToF32 } from './safetensors.ts';
import { runKernel } from '../kernels/program.ts';

export type Format16 = 'bf16' | 'f16';

/** A frozen [rows, cols] matrix of 16-bit values, packed two to an int32 (cols must be even). */
export class Packed16 {
  constructor(
    readonly data: tf.Tensor2D, // int32 [rows, cols / 2]
    readonly format: Format16,
  ) {}
  get shape(): [number, number] {
    return [this.data.shape[0], this.data.shape[1] * 2];
  }
  dispose(): void {
    this.data.dispose();
  }
}

/** A frozen weight matrix: f32, or 16-bit packed. */
export type Matrix = tf.Tensor2D | Packed16;

export const isPacked = (m: unknown): m is Packed16 => m instanceof Packed16;

/**
 * WGSL `fn NAME(w: i32) -> vec2<f32>`: the two values of one packed word (low half first), and
 * `fn NAME_4(w: vec2<i32>) -> vec4<f32>`: the four of two words (an input declared with 2 components).
 */
export function unpackWgsl(format: Format16, name = 'unpack2'): string {
  const two =
    format === 'bf16'
      ? `fn ${name}(w: i32) -> vec2<f32> { let u = bitcast<u32>(w); return vec2<f32>(bitcast<f32>(u << 16u), bitcast<f32>(u & 0xffff0000u)); }`
      : `fn ${name}(w: i32) -> vec2<f32> { return unpack2x16float(bitcast<u32>(w)); }`;
  return `${two}\nfn ${name}_4(w: vec2<i32>) -> vec4<f32> { return vec4<f32>(${name}(w.x), ${name}(w.y)); }`;
}

/** Packs the checkpoint's 16-bit values (row-major, an even number per row) without converting them. */
export function packRaw(bits: Uint16Array, shape: number[], format: Format16): Packed16 {
  const [rows, cols] = shape;
  const words = new Int32Array(bits.buffer, bits.byteOffset, bits.length / 2);
  return new Packed16(tf.tensor2d(words, [rows, cols / 2], 'int32'), format);
}

const onGpu = () => tf.getBackend() === 'webgpu';

/** The f32 values of a matrix: the matrix itself when f32, else a new [rows, cols] tensor. */
export function dense(m: Matrix): tf.Tensor2D {
  if (!isPacked(m)) return m;
  return unpackRows(m.data, m.format) as tf.Tensor2D;
}

/** Rows `ids` of a matrix as f32 [...ids.shape, cols] (the embedding lookup). */
export function gatherRows(m: Matrix, ids: tf.Tensor): tf.Tensor {
  if (!isPacked(m)) return tf.gather(m, ids);
  const [, cols] = m.shape,
    half = cols / 2,
    n = ids.size * half;
  if (!onGpu()) return tf.tidy(() => unpackRows(tf.gather(m.data, ids), m.format));
  // tfjs's own gather reads its input through f32, which rounds words above 2^24: index the words here
  return runKernel({
    key: `gather16_${m.format}_${half}_${n}`,
    code: `${unpackWgsl(m.format)}
fn main(index: i32) {
  if (index >= ${n}) { return; }
  result[index] = unpack2(P[Ids[index / ${half}] * ${half} + index % ${half}]);
}`,
    inputs: { P: m.data, Ids: ids },
    outShape: [...ids.shape, cols],
    workgroups: Math.ceil(n / 64),
    workgroupSize: 64,
    components: [1, 1],
    outputComponents: 2,
  });
}

/** Unpacks int32 words [..., n] into f32 [..., 2n] (on the GPU with a kernel, elsewhere on the CPU). */
export function unpackRows(words: tf.Tensor, format: Format16): tf.Tensor {
  const shape = [...words.shape.slice(0, -1), words.shape[words.rank - 1] * 2];
  if (!onGpu()) return tf.tensor(unpackBits(words.dataSync() as Int32Array, format), shape, 'float32');
  const n = words.size;
  return runKernel({
    key: `unpack16_${format}_${n}`,
    code: `${unpackWgsl(format)}
fn main(index: i32) {
  if (index >= ${n}) { return; }
  result[index] = unpack2(P[index]);
}`,
    inputs: { P: words },
    outShape: shape,
    workgroups: Math.ceil(n / 64),
    workgroupSize: 64,
    components: [1], // without it, inputs take the output's 2 components
    outputComponents: 2,
  });
}

/** Rounds an f32 matrix (even number of columns) to 16 bits, packed. Round to nearest even. */
export function packTensor(t: tf.Tensor2D, format: Format16): Packed16 {
  const [rows, cols] = t.shape;
  if (cols % 2) throw new Error(`packTensor: ${cols} columns; 16-bit packing needs an even number`);
  if (!onGpu()) return packRaw(roundBits(t.dataSync() as Float32Array, format), t.shape, format);
  const n = t.size / 2;
  // bf16 by integer rounding (ties to even; NaN stays NaN); f16 by the built-in conversion
  const pack =
    format === 'bf16'
      ? `fn to16(x: f32) -> u32 { let u = bitcast<u32>(x); if ((u & 0x7fffffffu) > 0x7f800000u) { return 0x7fc0u; } return (u + 0x7fffu + ((u >> 16u) & 1u)) >> 16u; }
fn pack2(v: vec2<f32>) -> u32 { return to16(v.x) | (to16(v.y) << 16u); }`
      : `fn pack2(v: vec2<f32>) -> u32 { return pack2x16float(v); }`;
  const data = runKernel({
    key: `pack16_${format}_${n}`,
    code: `${pack}
fn main(index: i32) {
  if (index >= ${n}) { return; }
  result[index] = bitcast<i32>(pack2(X[index]));
}`,
    inputs: { X: t },
    outShape: [rows, cols / 2],
    workgroups: Math.ceil(n / 64),
    workgroupSize: 64,
    components: [2],
    dtype: 'int32',
  }) as tf.Tensor2D;
  return new Packed16(data, format);
}

/** f32 values of packed words (little-endian: the low half is the first value). */
export function unpackBits(words: Int32Array, format: Format16): Float32Array {
  const halves = new Uint16Array(words.buffer, words.byteOffset, words.length * 2);
  if (format === 'f16') return f16ToF32(halves);
  const u32 = new Uint32Array(halves.length);
  for (let i = 0; i < halves.length; i++) u32[i] = halves[i] << 16;
  return new Float32Array(u32.buffer);
}

/** The 16-bit patterns of f32 values, rounded to nearest even. */
export function roundBits(x: Float32Array, format: Format16): Uint16Array {
  const u = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const out = new Uint16Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = format === 'bf16' ? toBf16(u[i]) : toF16(u[i]);
  return out;
}

function toBf16(u: number): number {
  if ((u & 0x7fffffff) > 0x7f800000) return 0x7fc0 | ((u >>> 16) & 0x8000);
  return ((u + 0x7fff + ((u >>> 16) & 1)) >>> 16) & 0xffff;
}

function toF16(u: number): number {
  const s = (u >>> 16) & 0x8000,
    e = (u >>> 23) & 0xff;
  let m = u & 0x7fffff;
  if (e === 0xff) return s | 0x7c00 | (m ? 0x200 : 0);
  const E = e - 112; // rebias 127 -> 15
  if (E >= 31) return s | 0x7c00;
  if (E <= 0) {
    if (E < -10) return s;
    m |= 0x800000;
    const shift = 14 - E,
      half = 2 ** (shift - 1);
    let h = Math.floor(m / 2 ** shift);
    const rem = m - h * 2 ** shift;
    if (rem > half || (rem === half && h & 1)) h++;
    return s | h;
  }
  let h = (E << 10) | (m >>> 13);
  const rem = m & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++; // a carry rounds into the exponent, as it should
  return s | h;
}
