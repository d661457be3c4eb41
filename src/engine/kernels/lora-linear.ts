// The LoRA projection of the training pass, y = x W^T + b + s (x A^T) B^T, as 3 forward and 6 backward
// dispatches (tfjs's fused matMul adds the bias and the base product as its bias operand) with a
// hand-written gradient, instead of the ~17 that autodiff of the op-by-op form records. Gradients flow to
// x, A and B only: the base weights are frozen. Not used with LoRA dropout in training (the LoRA branch
// then sees another x; the op-by-op path handles it).
import * as tf from '../tf.ts';

export function fusedLoraLinear(x: tf.Tensor2D, W: tf.Tensor2D, bias: tf.Tensor1D | undefined, A: tf.Tensor, B: tf.Tensor, scale: number): tf.Tensor2D {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xi, Ai, Bi] = args as tf.Tensor2D[];
    const save = args[3] as tf.GradSaveFunc;
    const h = tf.mul(tf.matMul(xi, Ai, false, true), scale) as tf.Tensor2D;                 // [N, r], scaled
    const base = tf.fused.matMul({ a: xi, b: W, transposeB: true, bias });                  // [N, out]
    const y = tf.fused.matMul({ a: h, b: Bi, transposeB: true, bias: base });              // [N, out]
    save([xi, Ai, Bi, h]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, As, Bs, hs] = saved as tf.Tensor2D[];
        const g = tf.mul(tf.matMul(dy as tf.Tensor2D, Bs), scale) as tf.Tensor2D;          // [N, r]
        const dx = tf.fused.matMul({ a: g, b: As, bias: tf.matMul(dy as tf.Tensor2D, W) }); // [N, in]
        return [dx, tf.matMul(g, xs, true, false), tf.matMul(dy as tf.Tensor2D, hs, true, false)]; // dx, dA [r, in], dB [out, r]
      },
    };
  });
  return f(x, A, B) as tf.Tensor2D;
}
