// The projections of the training pass with hand-written gradients, y = x W^T + b (+ s (x A^T) B^T with
// LoRA), instead of what autodiff of the op-by-op form records. Gradients flow to x, A and B only: the
// base weights are frozen. Not used with LoRA dropout in training (the LoRA branch then sees another x; the
// op-by-op path handles it).
//
// Two ways to run the products: on a hardware GPU, tfjs's shared-memory matMul (3 forward and 6 backward
// dispatches, the base product riding as the bias operand of a fused matMul); on a software adapter, the
// register-tiled kernels of matmul.ts (2 forward and 4 backward dispatches, the base and LoRA products of
// the output and of dx each summed in one).
//
// A 16-bit packed W (model/packed.ts) is read by the register-tiled kernels in both families, since tfjs's
// matMul reads f32 only; where its shapes do not tile, an f32 copy of W lives for the one product.
import * as tf from '../tf.ts';
import { canTile, tiledMatMul } from './matmul.ts';
import { dense, isPacked, type Matrix } from '../model/packed.ts';

export function fusedLoraLinear(
  x: tf.Tensor2D,
  W: Matrix,
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
      const base = baseProduct(xi, W, bias);
      y = tf.fused.matMul({ a: h, b: Bi, transposeB: true, bias: base }) as tf.Tensor2D;
      base.dispose();
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
        const dx = tf.fused.matMul({ a: g, b: As, bias: baseGrad(d, W) });
        return [dx, tf.matMul(g, xs, true, false), tf.matMul(d, hs, true, false)]; // dx, dA [r, in], dB [out, r]
      },
    };
  });
  return f(x, A, B) as tf.Tensor2D;
}

/** y = x W^T + b with its gradient to x only, in register-tiled kernels; null when the shapes do not tile. */
export function tiledLinear(x: tf.Tensor2D, W: Matrix, bias?: tf.Tensor1D): tf.Tensor2D | null {
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

/**
 * y = x W^T + b of a 16-bit packed W, with its gradient to x only: in the tiled kernels when `kernels` (WebGPU)
 * and the shapes tile, else op by op on an f32 copy of W made for the product (again in the backward pass),
 * so that no f32 copy outlives it.
 */
export function packedLinear(x: tf.Tensor2D, W: Matrix, bias: tf.Tensor1D | undefined, kernels: boolean): tf.Tensor2D {
  const tiled = kernels ? tiledLinear(x, W, bias) : null;
  if (tiled) return tiled;
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const xi = args[0] as tf.Tensor2D;
    return {
      value: tf.tidy(() => tf.fused.matMul({ a: xi, b: dense(W), transposeB: true, bias })) as tf.Tensor2D,
      gradFunc: (dy: tf.Tensor) => [tf.tidy(() => tf.matMul(dy as tf.Tensor2D, dense(W)))],
    };
  });
  return f(x) as tf.Tensor2D;
}

/** x W^T (+ bias) of the frozen W: tfjs's matMul for f32, the tiled kernel for packed (f32 copy if it cannot tile). */
function baseProduct(x: tf.Tensor2D, W: Matrix, bias?: tf.Tensor1D): tf.Tensor2D {
  if (!isPacked(W)) return tf.fused.matMul({ a: x, b: W, transposeB: true, bias }) as tf.Tensor2D;
  if (canTile([{ a: x, b: W, form: 'nt' }])) return tiledMatMul([{ a: x, b: W, form: 'nt' }], bias);
  return tf.tidy(() => tf.fused.matMul({ a: x, b: dense(W), transposeB: true, bias })) as tf.Tensor2D;
}

/** dy W, the base weight's part of the gradient to x. */
function baseGrad(dy: tf.Tensor2D, W: Matrix): tf.Tensor2D {
  if (!isPacked(W)) return tf.matMul(dy, W);
  if (canTile([{ a: dy, b: W, form: 'nn' }])) return tiledMatMul([{ a: dy, b: W, form: 'nn' }]);
  return tf.tidy(() => tf.matMul(dy, dense(W)));
}

function canTileLora(x: tf.Tensor2D, W: Matrix, A: tf.Tensor2D): boolean {
  const [out, inp] = W.shape,
    r = A.shape[0];
  return x.dtype === 'float32' && inp % 4 === 0 && out % 4 === 0 && r % 4 === 0;
}
