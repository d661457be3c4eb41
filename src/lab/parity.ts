// What the parity checks of the lab entries share (kernels.ts: each Ops implementation against the
// reference; weights16.ts: 16-bit weights against f32), DOM-free so that Node tests run them too:
//
//   const ref = await trainingGrads(model, lora, PARITY_BATCH, { ops: REFERENCE, gradientCheckpointing: false })
//   const got = await trainingGrads(model, lora, PARITY_BATCH, compute)
//   relGradErr(got.grads, ref.grads)                               // max over variables of max|diff| / max|ref|
import * as tf from '../engine/tf.ts';
import type { CausalLM } from '../engine/model/model.ts';
import type { LoraAdapter } from '../engine/lora.ts';
import type { SequenceBatch } from '../engine/batch.ts';
import type { Compute } from '../engine/ops/index.ts';
import { completionLogprobs } from '../engine/grpo.ts';

/** Two rows of prompt 4 + completion 3; the first has a pad on the prompt side. Length 7 also exercises the
 * tiled Ops' padding to a multiple of 4. */
export const PARITY_BATCH: SequenceBatch = {
  ids: [
    [0, 5, 9, 2, 7, 11, 3],
    [3, 4, 8, 1, 6, 2, 9],
  ],
  mask: [
    [0, 1, 1, 1, 1, 1, 1],
    [1, 1, 1, 1, 1, 1, 1],
  ],
  promptLength: 4,
};

/**
 * A weighted sum of the batch's completion log-probabilities and entropies (temperature 0.7) and its
 * gradient with respect to every LoRA variable, read back.
 */
export async function trainingGrads(
  model: CausalLM,
  lora: LoraAdapter,
  batch: SequenceBatch,
  compute: Compute,
): Promise<{ value: number; grads: number[][] }> {
  const vars = lora.variables();
  const { value, grads } = tf.variableGrads(() => {
    const { logprobs, entropy } = completionLogprobs(model, lora, batch, compute, 0.7);
    const w1 = tf.tensor2d([0.3, -1, 0.7, 1.2, 0.5, -0.4], [2, 3]),
      w2 = tf.tensor2d([0.2, 0.1, -0.3, 0.4, -0.2, 0.1], [2, 3]);
    return tf.add(tf.sum(tf.mul(logprobs, w1)), tf.sum(tf.mul(entropy, w2))) as tf.Scalar;
  }, vars);
  const out = {
    value: (await value.data())[0],
    grads: await Promise.all(vars.map(async (v) => Array.from(await grads[v.name].data()))),
  };
  tf.dispose([value, ...Object.values(grads)]);
  return out;
}

/** Max |a - b| (Infinity when the lengths differ). */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Max over variables of max |got - ref| relative to ref's max-abs. */
export function relGradErr(got: number[][], ref: number[][]): number {
  let e = 0;
  got.forEach((g, i) => {
    const scale = Math.max(1e-12, ...ref[i].map(Math.abs));
    e = Math.max(e, maxDiff(g, ref[i]) / scale);
  });
  return e;
}
