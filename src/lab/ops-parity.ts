// Every Ops implementation against the reference, op by op, in one loop: linear with LoRA, RMSNorm,
// attention, the LM head's log-probabilities and entropies (values, and gradients of a weighted sum with
// respect to every input), and one AdamW update. DOM-free: tests/engine/ops.test.ts runs it on the CPU
// and WASM backends, the lab page (`opsParity`, e2e/kernels.spec.ts) on WebGPU with every implementation.
//
//   const errs = await opsParity({ webgpu: webgpuOps, tiled: tiledOps })   // errs.tiled.attention.gradErr
import * as tf from '../engine/tf.ts';
import { REFERENCE, type Ops } from '../engine/ops/index.ts';
import { AdamW } from '../engine/optim.ts';
import { maxDiff, relGradErr } from './parity.ts';

/** Max |value - reference's|, and the gradients' max difference relative to the reference's max-abs. */
export interface OpErr {
  valueErr: number;
  gradErr: number;
}

interface Fixed {
  W: tf.Tensor2D;
  bias: tf.Tensor1D;
  g: tf.Tensor1D;
  causal: tf.Tensor4D;
  targets: tf.Tensor1D;
}

const rnd = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 0.5, 'float32', seed);

/** Each op: its differentiable inputs, and how an implementation computes it from them. */
const CASES: Record<string, { inputs: () => tf.Tensor[]; run: (ops: Ops, f: Fixed, ...xs: tf.Tensor[]) => tf.Tensor }> =
  {
    'linear with LoRA': {
      inputs: () => [rnd([6, 8], 1), rnd([4, 8], 2), rnd([12, 4], 3)],
      run: (ops, f, x, A, B) => ops.linear(x as tf.Tensor2D, f.W, f.bias, { A, B, scale: 2, dropout: 0 }),
    },
    rmsNorm: { inputs: () => [rnd([2, 3, 8], 4)], run: (ops, f, x) => ops.rmsNorm(x, f.g, 1e-6) },
    attention: {
      inputs: () => [rnd([1, 4, 3, 8], 5), rnd([1, 2, 3, 8], 6), rnd([1, 2, 3, 8], 7)],
      run: (ops, f, q, k, v) => ops.attention(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D, f.causal),
    },
    'LM head log-probabilities and entropies': {
      inputs: () => [rnd([5, 8], 8)],
      run: (ops, f, h) => tf.stack(ops.tokenLogprobs(h as tf.Tensor2D, f.W, f.targets, 0.7)),
    },
  };

/** The op names opsParity reports, AdamW last. */
export const PARITY_OPS = [...Object.keys(CASES), 'AdamW'];

/** Value and gradients of a weighted sum of fn's output with respect to its inputs, read back. */
async function valueAndGrads(fn: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[]) {
  const [y, grads] = tf.tidy(() => {
    const out = fn(...inputs);
    const w = tf.sin(tf.range(0, out.size).reshape(out.shape));
    return [out, tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(fn(...xs), w)))(inputs)] as const;
  });
  const r = {
    y: Array.from(await y.data()),
    grads: await Promise.all(grads.map(async (g) => Array.from(await g.data()))),
  };
  tf.dispose([y, ...grads]);
  return r;
}

/** Parameters after one AdamW update (weight decay on) with the given Ops. */
async function adamwOnce(ops: Ops): Promise<number[]> {
  const p = [tf.tidy(() => tf.variable(tf.tensor1d([0.5, -1, 2])))];
  const opt = new AdamW(p, { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1 });
  const grad = tf.tensor1d([0.1, -0.2, 0.3]);
  ops.adamwStep(opt, [grad], 0.01);
  const out = Array.from(await p[0].data());
  tf.dispose([grad, ...p]);
  opt.dispose();
  return out;
}

/** Each implementation against the reference on the active backend: errors by implementation, then by op. */
export async function opsParity(implementations: Record<string, Ops>): Promise<Record<string, Record<string, OpErr>>> {
  const f: Fixed = {
    W: rnd([12, 8], 9) as tf.Tensor2D,
    bias: rnd([12], 10) as tf.Tensor1D,
    g: rnd([8], 11) as tf.Tensor1D,
    causal: tf.tensor4d([0, -1e9, -1e9, 0, 0, -1e9, 0, 0, 0], [1, 1, 3, 3]),
    targets: tf.tensor1d([0, 3, 11, 5, 7], 'int32'),
  };
  const out: Record<string, Record<string, OpErr>> = Object.fromEntries(
    Object.keys(implementations).map((name) => [name, {}]),
  );
  for (const [op, c] of Object.entries(CASES)) {
    const inputs = c.inputs();
    const want = await valueAndGrads((...xs) => c.run(REFERENCE, f, ...xs), inputs);
    for (const [name, ops] of Object.entries(implementations)) {
      const got = await valueAndGrads((...xs) => c.run(ops, f, ...xs), inputs);
      out[name][op] = { valueErr: maxDiff(got.y, want.y), gradErr: relGradErr(got.grads, want.grads) };
    }
    tf.dispose(inputs);
  }
  const want = await adamwOnce(REFERENCE);
  for (const [name, ops] of Object.entries(implementations))
    out[name].AdamW = { valueErr: maxDiff(await adamwOnce(ops), want), gradErr: 0 };
  tf.dispose(Object.values(f));
  return out;
}
