// The projections of the training pass with hand-written gradients, y = x W^T + b (+ s (x A^T) B^T with
// LoRA), instead of what autodiff of the op-by-op form records. Gradients flow to x, A and B only: the
// base weights are frozen. Not used with LoRA dropout in training (the LoRA branch then sees another x; the
// op-by-op path handles it).
//
// Two ways to run the products: on a hardware GPU, tfjs's shared-memory matMul (3 forward and 6 backward
// dispatches, the base product riding as the bias operand of a fused matMul); on a software adapter, the
// register-tiled kernels of matmul.ts (2 forward and 4 backward dispatches, the base and LoRA products of
// the output and of dx each summed in one).
import * as tf from '../tf.ts';
import { canTile, tiledMatMul } from './matmul.ts';

export function fusedLoraLinear(
  x: tf.Tensor2D,
  W: tf.Tensor2D,
  bias: tf.Tensor1D | undefined,
  A: tf.Tensor,
  B: tf.Tensor,
  scale: number,
  /** Register-tiled kernels (software adapters) where the shapes tile; else tfjs's matMul. */
  preferTiled: boolean,
): tf.Tensor2D {
  const tiled = preferTiled && canTileLora(x, W, A as tf.Tensor2D);
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xi, Ai, Bi] = args as tf.Tensor2D[];
    const save = args[3] as tf.GradSaveFunc;
    let h: tf.Tensor2D, y: tf.Tensor2D;
    if (tiled) {
      h = tiledMatMul([{ a: xi, b: Ai, form: 'nt', alpha: scale }]); // [N, r], scaled
      y = tiledMatMul(
        [
          { a: xi, b: W, form: 'nt' },
          { a: h, b: Bi, form: 'nt' },
        ],
        bias,
      ); // [N, out]
    } else {
      h = tf.mul(tf.matMul(xi, Ai, false, true), scale) as tf.Tensor2D;
      const base = tf.fused.matMul({ a: xi, b: W, transposeB: true, bias });
      y = tf.fused.matMul({ a: h, b: Bi, transposeB: true, bias: base }) as tf.Tensor2D;
    }
    save([xi, Ai, Bi, h]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, As, Bs, hs] = saved as tf.Tensor2D[];
        const d = dy as tf.Tensor2D;
        if (tiled) {
          const g = tiledMatMul([{ a: d, b: Bs, form: 'nn', alpha: scale }]); // [N, r]
          const dx = tiledMatMul([
            { a: d, b: W, form: 'nn' },
            { a: g, b: As, form: 'nn' },
          ]); // [N, in]
          return [dx, tiledMatMul([{ a: g, b: xs, form: 'tn' }]), tiledMatMul([{ a: d, b: hs, form: 'tn' }])];
        }
        const g = tf.mul(tf.matMul(d, Bs), scale) as tf.Tensor2D;
        const dx = tf.fused.matMul({ a: g, b: As, bias: tf.matMul(d, W) });
        return [dx, tf.matMul(g, xs, true, false), tf.matMul(d, hs, true, false)]; // dx, dA [r, in], dB [out, r]
      },
    };
  });
  return f(x, A, B) as tf.Tensor2D;
}

/** y = x W^T + b with its gradient to x only, in register-tiled kernels; null when the shapes do not tile. */
export function tiledLinear(x: tf.Tensor2D, W: tf.Tensor2D, bias?: tf.Tensor1D): tf.Tensor2D | null {
  // the gradient's 'nn' product dy W tiles whenever the forward's 'nt' one does (the same two axes by 4)
  if (!canTile([{ a: x, b: W, form: 'nt' }])) return null;
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xi = args[0] as tf.Tensor2D;
    return {
      value: tiledMatMul([{ a: xi, b: W, form: 'nt' }], bias),
      gradFunc: (dy: tf.Tensor) => [tiledMatMul([{ a: dy as tf.Tensor2D, b: W, form: 'nn' }])],
    };
  });
  return f(x) as tf.Tensor2D;
}

function canTileLora(x: tf.Tensor2D, W: tf.Tensor2D, A: tf.Tensor2D): boolean {
  const [out, inp] = W.shape,
    r = A.shape[0];
  return x.dtype === 'float32' && inp % 4 === 0 && out % 4 === 0 && r % 4 === 0;
}
