// Gradient accumulation over micro-batches and the optimiser step, written once for every update of the
// engine: the policy step (step.ts), SFT (trainer.ts) and the PPO value head (estimators/ppo.ts).
//
//   const r = await accumulateGradients(vars, chunks.map((c) => () => microLoss(c)))   // summed grads
//   const norm = await optimizerStep(opt, r.grads, { lr, maxGradNorm, ops })            // clip + AdamW
//
// Each micro-batch's loss is its share of the batch loss, so the summed gradients are the batch's; only
// one micro-batch's activations exist at a time. The scalars of all micro-batches are read back once, at
// the end (a read stalls WebGPU).
import * as tf from './tf.ts';
import { clipGradNorm, sumOfSquares, type AdamW } from './optim.ts';
import type { Ops } from './ops/ops.ts';

/** A micro-batch's scalar loss and the scalars it reports (kept alive past the gradient pass). */
export interface MicroLoss {
  loss: tf.Scalar;
  extras: tf.Scalar[];
}

export interface Accumulated {
  grads: tf.Tensor[]; // summed over the micro-batches, in the order of `vars` (caller disposes)
  loss: number; // summed
  extras: number[][]; // [micro][extra]
  squaredNorms: number[]; // [micro] |g_i|^2 of each micro-batch's own gradient (when asked for, else [])
}

export async function accumulateGradients(
  vars: tf.Variable[],
  micro: Array<() => MicroLoss>,
  o: { squaredNorms?: boolean } = {},
): Promise<Accumulated> {
  let acc: tf.Tensor[] | null = null;
  const losses: tf.Scalar[] = [],
    extras: tf.Scalar[][] = [],
    sqs: tf.Scalar[] = [];
  for (const f of micro) {
    const { value, grads } = tf.variableGrads(() => {
      const out = f();
      extras.push(out.extras.map((e) => tf.keep(e)));
      return out.loss;
    }, vars);
    losses.push(value);
    const g = vars.map((v) => grads[v.name]);
    if (o.squaredNorms) sqs.push(sumOfSquares(g));
    if (acc === null) acc = g;
    else {
      const prev: tf.Tensor[] = acc;
      acc = prev.map((a, i) => tf.add(a, g[i]));
      tf.dispose([...prev, ...g]);
    }
  }
  const flat = tf.stack([...losses, ...sqs, ...extras.flat()]);
  const values = Array.from(await flat.data());
  tf.dispose([flat, ...losses, ...sqs, ...extras.flat()]);
  const n = micro.length,
    k = extras[0]?.length ?? 0,
    e0 = n + sqs.length;
  return {
    grads: acc ?? [],
    loss: values.slice(0, n).reduce((a, b) => a + b, 0),
    squaredNorms: values.slice(n, e0),
    extras: Array.from({ length: n }, (_, i) => values.slice(e0 + i * k, e0 + (i + 1) * k)),
  };
}

/**
 * One optimiser update: clip the gradients' global norm to maxGradNorm (0: no clipping), then AdamW as the
 * run's Ops do it (in place on WebGPU). Disposes the gradients; returns the norm before clipping.
 */
export async function optimizerStep(
  opt: AdamW,
  grads: tf.Tensor[],
  o: { lr: number; maxGradNorm: number; ops: Ops },
): Promise<number> {
  const clipped = await clipGradNorm(grads, o.maxGradNorm);
  o.ops.adamwStep(opt, clipped.grads, o.lr);
  tf.dispose(clipped.grads);
  return clipped.norm;
}
