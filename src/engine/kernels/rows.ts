// Row kernels of the training pass for software adapters: one invocation per row, no workgroup memory and
// no barriers (tfjs's reductions use both, and on SwiftShader a [4, 4, 64, 64] softmax took 52 ms, ten
// times a 256 x 128 x 384 tiled matmul). Each has its gradient (tf.customGrad), to the row input only:
//
//   rowRmsNorm(x, w, eps)                         RMSNorm over the last axis (w frozen)
//   rowSoftmax(scores, bias, scale)               softmax(scores * scale + bias) over the last axis;
//                                                 scores [B, H, T, S], bias [B, 1, T, S] (constant)
//   logprobEntropyRows(logits, targets, temp)     [R, 2]: log p(target) and entropy of softmax(logits / temp)
//                                                 (its gradient is logprobEntropyRowsGrad: lm-head.ts
//                                                 recomputes the logits chunk by chunk)
//
// On a hardware GPU one thread per row leaves most of the GPU idle; these are used with the tiled matmuls
// only (the tiled Ops, ops/tiled.ts).
import * as tf from '../tf.ts';
import { runKernel, f32 } from './program.ts';

const WG = 64;
const groups = (rows: number) => Math.ceil(rows / WG);

export function rowRmsNorm<T extends tf.Tensor>(x: T, w: tf.Tensor1D, eps: number): T {
  const D = x.shape[x.rank - 1],
    R = x.size / D;
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xi = args[0] as tf.Tensor;
    (args[1] as tf.GradSaveFunc)([xi]);
    const code = `
fn main(index: i32) {
  if (index >= ${R}) { return; }
  let o = index * ${D};
  var ss = 0.0;
  for (var j = 0; j < ${D}; j++) { let v = X[o + j]; ss += v * v; }
  let r = inverseSqrt(ss / ${f32(D)} + ${f32(eps)});
  for (var j = 0; j < ${D}; j++) { result[o + j] = X[o + j] * r * W[j]; }
}`;
    return {
      value: runKernel({
        key: `rms_${R}_${D}_${eps}`,
        code,
        inputs: { X: xi, W: w },
        outShape: xi.shape,
        workgroups: groups(R),
        workgroupSize: WG,
      }),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        // dx = r w dy - x r^3 / D sum_j x_j w_j dy_j
        const back = `
fn main(index: i32) {
  if (index >= ${R}) { return; }
  let o = index * ${D};
  var ss = 0.0; var t = 0.0;
  for (var j = 0; j < ${D}; j++) { let v = X[o + j]; ss += v * v; t += v * W[j] * DY[o + j]; }
  let r = inverseSqrt(ss / ${f32(D)} + ${f32(eps)});
  let c = t * r * r * r / ${f32(D)};
  for (var j = 0; j < ${D}; j++) { result[o + j] = r * W[j] * DY[o + j] - X[o + j] * c; }
}`;
        return [
          runKernel({
            key: `rms_b_${R}_${D}_${eps}`,
            code: back,
            inputs: { X: saved[0], W: w, DY: dy },
            outShape: dy.shape,
            workgroups: groups(R),
            workgroupSize: WG,
          }),
        ];
      },
    };
  });
  return f(x) as T;
}

export function rowSoftmax(scores: tf.Tensor4D, bias: tf.Tensor4D, scale: number): tf.Tensor4D {
  const [B, H, T, S] = scores.shape,
    R = B * H * T;
  if (bias.shape[0] !== B || bias.shape[1] !== 1 || bias.shape[2] !== T || bias.shape[3] !== S)
    throw new Error(`rowSoftmax: bias [${bias.shape}] does not match scores [${scores.shape}]`);
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const si = args[0] as tf.Tensor4D;
    const code = `
fn main(index: i32) {
  if (index >= ${R}) { return; }
  let o = index * ${S};
  let bo = ((index / ${H * T}) * ${T} + index % ${T}) * ${S};
  var m = -3.0e38;
  for (var j = 0; j < ${S}; j++) { m = max(m, X[o + j] * ${f32(scale)} + BIAS[bo + j]); }
  var l = 0.0;
  for (var j = 0; j < ${S}; j++) { let e = exp(X[o + j] * ${f32(scale)} + BIAS[bo + j] - m); result[o + j] = e; l += e; }
  let inv = 1.0 / l;
  for (var j = 0; j < ${S}; j++) { result[o + j] = result[o + j] * inv; }
}`;
    const p = runKernel({
      key: `softmax_${B}_${H}_${T}_${S}_${scale}`,
      code,
      inputs: { X: si, BIAS: bias },
      outShape: si.shape,
      workgroups: groups(R),
      workgroupSize: WG,
    });
    (args[1] as tf.GradSaveFunc)([p]);
    return {
      value: p,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        // d scores_j = scale p_j (dy_j - sum_k p_k dy_k)
        const back = `
fn main(index: i32) {
  if (index >= ${R}) { return; }
  let o = index * ${S};
  var t = 0.0;
  for (var j = 0; j < ${S}; j++) { t += P[o + j] * DY[o + j]; }
  for (var j = 0; j < ${S}; j++) { result[o + j] = ${f32(scale)} * P[o + j] * (DY[o + j] - t); }
}`;
        return [
          runKernel({
            key: `softmax_b_${R}_${S}_${scale}`,
            code: back,
            inputs: { P: saved[0], DY: dy },
            outShape: dy.shape,
            workgroups: groups(R),
            workgroupSize: WG,
          }),
        ];
      },
    };
  });
  return f(scores) as tf.Tensor4D;
}

/** The WGSL that computes a row's max `m`, log-sum-exp `lse`, entropy `h` and target `t` of z = Z / temperature. */
function rowStats(V: number, inv: string): string {
  return `
  let o = index * ${V};
  var m = -3.0e38;
  for (var j = 0; j < ${V}; j++) { m = max(m, Z[o + j] * ${inv}); }
  var l = 0.0;
  for (var j = 0; j < ${V}; j++) { l += exp(Z[o + j] * ${inv} - m); }
  let lse = m + log(l);
  var h = 0.0;
  for (var j = 0; j < ${V}; j++) { let lp = Z[o + j] * ${inv} - lse; h -= exp(lp) * lp; }
  let t = TGT[index];`;
}

const invTemp = (temperature: number) => f32(temperature > 0 ? 1 / temperature : 1);

/** [R, 2]: log p(target) and the entropy of softmax(logits / temperature), row by row (no gradient). */
export function logprobEntropyRows(logits: tf.Tensor2D, targets: tf.Tensor1D, temperature: number): tf.Tensor2D {
  const [R, V] = logits.shape,
    inv = invTemp(temperature);
  const code = `
fn main(index: i32) {
  if (index >= ${R}) { return; }${rowStats(V, inv)}
  result[index * 2] = Z[o + t] * ${inv} - lse;
  result[index * 2 + 1] = h;
}`;
  return runKernel({
    key: `lpent_${R}_${V}_${inv}`,
    code,
    inputs: { Z: logits, TGT: targets },
    outShape: [R, 2],
    workgroups: groups(R),
    workgroupSize: WG,
  }) as tf.Tensor2D;
}

/** Gradient of logprobEntropyRows to the logits, given dy [R, 2] (d log p, d entropy). */
export function logprobEntropyRowsGrad(
  logits: tf.Tensor2D,
  targets: tf.Tensor1D,
  dy: tf.Tensor2D,
  temperature: number,
): tf.Tensor2D {
  const [R, V] = logits.shape,
    inv = invTemp(temperature);
  // d z_j = dlp (1[j = t] - p_j) - dH p_j (log p_j + H); d logits = d z / temperature
  const code = `
fn main(index: i32) {
  if (index >= ${R}) { return; }${rowStats(V, inv)}
  let dlp = DY[index * 2]; let dh = DY[index * 2 + 1];
  for (var j = 0; j < ${V}; j++) {
    let lp = Z[o + j] * ${inv} - lse; let p = exp(lp);
    result[o + j] = (dlp * (select(0.0, 1.0, j == t) - p) - dh * p * (lp + h)) * ${inv};
  }
}`;
  return runKernel({
    key: `lpent_b_${R}_${V}_${inv}`,
    code,
    inputs: { Z: logits, TGT: targets, DY: dy },
    outShape: [R, V],
    workgroups: groups(R),
    workgroupSize: WG,
  }) as tf.Tensor2D;
}
