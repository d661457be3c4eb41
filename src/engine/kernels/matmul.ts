// Register-tiled matrix products for the training pass: each invocation computes a 4 x 4 block of the
// output from vec4 loads, with no workgroup memory and no barriers. On a software adapter (SwiftShader,
// Chromium's WebGPU on a machine without a GPU) this runs about 8x faster than tfjs's shared-memory matMul
// (3.5-4.4 vs 0.4-0.9 GFLOP/s on 128-512 sized products); on a hardware GPU tfjs's tiled matMul is kept
// (the tiled Ops, ops/tiled.ts).
//
// One dispatch sums several products of the same output shape, scaled, plus a bias row:
//
//   tiledMatMul([{ a: x, b: W, form: 'nt' }, { a: h, b: B, form: 'nt' }], bias)   // x W^T + h B^T + bias
//
// Forms, with C [M, N]: 'nt' a [M, K] . b [N, K]^T;  'nn' a [M, K] . b [K, N];  'tn' a [K, M]^T . b [K, N].
// Operands may carry a leading batch axis ([Bt, ., .], the same Bt for all; C is then [Bt, M, N]).
// N must be a multiple of 4, and so must K ('nt', 'nn') or M ('tn'); `canTile` says whether a call fits.
// `b` may be a 16-bit packed matrix (model/packed.ts, 2-D only): its words are read two at a time, four
// values, exactly where an f32 operand's vec4 would be read.
import * as tf from '../tf.ts';
import { runKernel, f32 } from './program.ts';
import { isPacked, unpackWgsl, type Packed16 } from '../model/packed.ts';

export type MatMulForm = 'nt' | 'nn' | 'tn';
export interface MatMulTerm {
  a: tf.Tensor;
  b: tf.Tensor | Packed16;
  form: MatMulForm;
  alpha?: number;
}

const rankOf = (t: tf.Tensor | Packed16) => t.shape.length;

const WG = 64;

/** Output shape [M, N], reduction length K and batch of one term. */
function dims(t: MatMulTerm): { M: number; N: number; K: number; batch: number } {
  const [a0, a1] = t.a.shape.slice(-2),
    [b0, b1] = t.b.shape.slice(-2);
  const batch = rankOf(t.a) === 3 ? t.a.shape[0] : 1;
  if (t.form === 'nt') return { M: a0, K: a1, N: b0, batch };
  if (t.form === 'nn') return { M: a0, K: a1, N: b1, batch };
  return { M: a1, K: a0, N: b1, batch };
}

/** Whether these terms can run as one tiled dispatch (shapes agree, the vec4 axes are multiples of 4). */
export function canTile(terms: MatMulTerm[]): boolean {
  const d0 = dims(terms[0]);
  return terms.every((t) => {
    const d = dims(t);
    const bOk = isPacked(t.b) ? t.a.rank === 2 : t.b.dtype === 'float32';
    if (d.M !== d0.M || d.N !== d0.N || d.batch !== d0.batch || t.a.dtype !== 'float32' || !bOk) return false;
    const rb = rankOf(t.b);
    if (t.a.rank !== rb || rb < 2 || rb > 3 || (rb === 3 && t.b.shape[0] !== d.batch)) return false;
    const [b0, b1] = t.b.shape.slice(-2);
    if (t.form === 'nt' && b1 !== d.K) return false;
    if (t.form !== 'nt' && b0 !== d.K) return false;
    return d.N % 4 === 0 && (t.form === 'tn' ? d.M % 4 === 0 : d.K % 4 === 0);
  });
}

/** Sum of alpha_i op(a_i) op(b_i) (+ bias), one dispatch. Throws when !canTile(terms). */
export function tiledMatMul<T extends tf.Tensor = tf.Tensor2D>(terms: MatMulTerm[], bias?: tf.Tensor1D): T {
  if (!terms.length || !canTile(terms))
    throw new Error(
      `tiledMatMul: shapes ${terms.map((t) => `${t.form} [${t.a.shape}] [${t.b.shape}]`).join(', ')} do not tile by 4`,
    );
  const { M, N, batch } = dims(terms[0]);
  const N4 = N / 4,
    MB = Math.ceil(M / 4);
  const inputs: Record<string, tf.Tensor> = {};
  const components: number[] = [];
  const loops = terms.map((t, i) => {
    inputs[`A${i}`] = t.a;
    inputs[`B${i}`] = isPacked(t.b) ? t.b.data : t.b;
    components.push(4, isPacked(t.b) ? 2 : 4);
    return termLoop(t, i, M, N4);
  });
  if (bias) {
    inputs.BIAS = bias;
    components.push(4);
  }
  const rows = [0, 1, 2, 3];
  const unpack = [...new Set(terms.flatMap((t) => (isPacked(t.b) ? [t.b.format] : [])))];
  const code = `${unpack.map((f) => unpackWgsl(f, `u_${f}`)).join('\n')}
fn main(index: i32) {
  let nb = index % ${N4};
  let mb = (index / ${N4}) % ${MB};
  let bt = index / ${N4 * MB};
  if (bt >= ${batch}) { return; }
  let m0 = mb * 4;
  let o = bt * ${M * N4};
  var s0 = vec4<f32>(0.0); var s1 = vec4<f32>(0.0); var s2 = vec4<f32>(0.0); var s3 = vec4<f32>(0.0);
  ${loops.join('\n  ')}
  ${bias ? 'let bias = BIAS[nb];' : ''}
  ${rows.map((r) => `${r ? `if (m0 + ${r} < ${M}) ` : ''}{ result[o + (m0 + ${r}) * ${N4} + nb] = s${r}${bias ? ' + bias' : ''}; }`).join('\n  ')}
}`;
  const termKey = (t: MatMulTerm) =>
    `${t.form}${t.a.shape.join('x')}.${t.b.shape.join('x')}${isPacked(t.b) ? t.b.format : ''}a${t.alpha ?? 1}`;
  const key = `mm4_${batch}_${M}_${N}_${terms.map(termKey).join('_')}${bias ? '_b' : ''}`;
  return runKernel({
    key,
    code,
    inputs,
    outShape: terms[0].a.rank === 3 ? [batch, M, N] : [M, N],
    workgroups: Math.ceil((batch * MB * N4) / WG),
    workgroupSize: WG,
    components,
    outputComponents: 4,
  }) as T;
}

/** The WGSL loop of one term, accumulating into s0..s3 (rows m0..m0+3, columns 4nb..4nb+3). */
function termLoop(t: MatMulTerm, i: number, M: number, N4: number): string {
  const { K } = dims(t);
  const A = `A${i}`,
    al = t.alpha ?? 1;
  // B[idx] reads four values: a vec4 of f32, or two packed words unpacked
  const ld = (idx: string) => (isPacked(t.b) ? `u_${t.b.format}_4(B${i}[${idx}])` : `B${i}[${idx}]`);
  // batch offsets, in vec4s
  const aOff = `bt * ${(t.a.shape.slice(-2)[0] * t.a.shape.slice(-2)[1]) / 4}`,
    bOff = `bt * ${(t.b.shape.slice(-2)[0] * t.b.shape.slice(-2)[1]) / 4}`;
  const scale = al === 1 ? '' : `s0 *= ${f32(al)}; s1 *= ${f32(al)}; s2 *= ${f32(al)}; s3 *= ${f32(al)};`;
  // alpha scales this term only: accumulate it apart, then add
  const open =
    '{ var s0_ = s0; var s1_ = s1; var s2_ = s2; var s3_ = s3; ' +
    's0 = vec4<f32>(0.0); s1 = vec4<f32>(0.0); s2 = vec4<f32>(0.0); s3 = vec4<f32>(0.0);';
  const close = `${scale} s0 += s0_; s1 += s1_; s2 += s2_; s3 += s3_; }`;
  let body: string;
  if (t.form === 'tn') {
    // a [K, M]: the 4 rows of the block are 4 consecutive columns of a, one vec4
    const M4 = M / 4;
    body = `for (var k = 0; k < ${K}; k++) {
    let a = ${A}[${aOff} + k * ${M4} + mb]; let b = ${ld(`${bOff} + k * ${N4} + nb`)};
    s0 += a.x * b; s1 += a.y * b; s2 += a.z * b; s3 += a.w * b;
  }`;
  } else {
    const K4 = K / 4;
    const rowsA = [0, 1, 2, 3].map((r) => `let r${r} = ${aOff} + min(m0 + ${r}, ${M - 1}) * ${K4};`).join(' ');
    if (t.form === 'nt') {
      body = `${rowsA}
  let c0 = ${bOff} + nb * ${4 * K4}; let c1 = c0 + ${K4}; let c2 = c1 + ${K4}; let c3 = c2 + ${K4};
  for (var k = 0; k < ${K4}; k++) {
    let b0 = ${ld('c0 + k')}; let b1 = ${ld('c1 + k')}; let b2 = ${ld('c2 + k')}; let b3 = ${ld('c3 + k')};
    let a0 = ${A}[r0 + k]; s0 += vec4<f32>(dot(a0, b0), dot(a0, b1), dot(a0, b2), dot(a0, b3));
    let a1 = ${A}[r1 + k]; s1 += vec4<f32>(dot(a1, b0), dot(a1, b1), dot(a1, b2), dot(a1, b3));
    let a2 = ${A}[r2 + k]; s2 += vec4<f32>(dot(a2, b0), dot(a2, b1), dot(a2, b2), dot(a2, b3));
    let a3 = ${A}[r3 + k]; s3 += vec4<f32>(dot(a3, b0), dot(a3, b1), dot(a3, b2), dot(a3, b3));
  }`;
    } else {
      body = `${rowsA}
  for (var k = 0; k < ${K4}; k++) {
    let kb = ${bOff} + k * ${4 * N4} + nb;
    let b0 = ${ld('kb')}; let b1 = ${ld(`kb + ${N4}`)}; let b2 = ${ld(`kb + ${2 * N4}`)}; let b3 = ${ld(`kb + ${3 * N4}`)};
    let a0 = ${A}[r0 + k]; s0 += a0.x * b0 + a0.y * b1 + a0.z * b2 + a0.w * b3;
    let a1 = ${A}[r1 + k]; s1 += a1.x * b0 + a1.y * b1 + a1.z * b2 + a1.w * b3;
    let a2 = ${A}[r2 + k]; s2 += a2.x * b0 + a2.y * b1 + a2.z * b2 + a2.w * b3;
    let a3 = ${A}[r3 + k]; s3 += a3.x * b0 + a3.y * b1 + a3.z * b2 + a3.w * b3;
  }`;
    }
  }
  return al === 1 ? `{ ${body} }` : `${open}\n  ${body}\n  ${close}`;
}

/**
 * a . b^T ('nt') or a . b ('nn'), 2D or batched, with gradients to both operands (tiled too); null when the
 * shapes do not tile (the caller then uses tf.matMul).
 */
export function tiledMatMulGrad(a: tf.Tensor, b: tf.Tensor, form: 'nt' | 'nn'): tf.Tensor | null {
  if (!canTile([{ a, b, form }])) return null;
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [ai, bi] = args as tf.Tensor[];
    (args[2] as tf.GradSaveFunc)([ai, bi]);
    return {
      value: tiledMatMul<tf.Tensor>([{ a: ai, b: bi, form }]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [as, bs] = saved;
        // nt: da = dy b, db = dy^T a;  nn: da = dy b^T, db = a^T dy
        return form === 'nt'
          ? [
              tiledMatMul<tf.Tensor>([{ a: dy, b: bs, form: 'nn' }]),
              tiledMatMul<tf.Tensor>([{ a: dy, b: as, form: 'tn' }]),
            ]
          : [
              tiledMatMul<tf.Tensor>([{ a: dy, b: bs, form: 'nt' }]),
              tiledMatMul<tf.Tensor>([{ a: as, b: dy, form: 'tn' }]),
            ];
      },
    };
  });
  return f(a, b);
}
