// PPO's critic: a two-layer MLP on the policy's last hidden state, V(state before token t) = head(h_{t-1}),
// with its own tf.Variables and its own AdamW, trained by the clipped value loss of PPO (as TRL's PPOTrainer):
//
//   v_clipped = old + clip(v - old, -cliprange_value, cliprange_value)
//   loss      = vf_coef * 0.5 * mean_tokens max((v - R)^2, (v_clipped - R)^2)
//
//   const head = ValueHead.create(model.spec.hidden, 64, seed)
//   const feats = trunkStates(model, lora, batch, compute)  // [N, C, D], no gradient into the trunk
//   const v = head.predict(feats)                            // [N, C]
//
// Departure from TRL (which trains a separate value model, a full copy of the base network): the head
// reads the policy's hidden states detached, so the value loss trains only the head and never the LoRA
// adapter. That keeps memory at one model in the browser; the critic is weaker than a full network.
import * as tf from '../tf.ts';
import type { CausalLM } from '../model/model.ts';
import type { LoraAdapter } from '../lora.ts';
import type { Compute } from '../ops/ops.ts';
import { completionHidden, type SequenceBatch } from '../batch.ts';

export const VALUE_HEAD_HIDDEN = 64;

export class ValueHead {
  private constructor(readonly vars: tf.Variable[]) {}

  /** W1 [D, H], b1 [H], W2 [H, 1], b2 [1]; scaled-normal initialisation from the run seed. */
  static create(D: number, H: number, seed: number): ValueHead {
    const init = (shape: number[], std: number, s: number) =>
      tf.tidy(() => tf.variable(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', s), std), true));
    return new ValueHead([
      init([D, H], 1 / Math.sqrt(D), seed + 101),
      init([H], 0, seed + 102),
      init([H, 1], 1 / Math.sqrt(H), seed + 202),
      init([1], 0, seed + 203),
    ]);
  }

  /** Values [N, C] of hidden states [N, C, D]. */
  predict(hidden: tf.Tensor3D): tf.Tensor2D {
    return tf.tidy(() => {
      const [N, C, D] = hidden.shape,
        [w1, b1, w2, b2] = this.vars;
      const h = tf.relu(tf.add(tf.matMul(hidden.reshape([N * C, D]), w1), b1)); // [N*C, H]
      return tf.add(tf.matMul(h, w2), b2).reshape([N, C]) as tf.Tensor2D;
    });
  }

  dispose(): void {
    tf.dispose(this.vars);
  }
}

/** Hidden states [N, C, D] of the states before each completion token (batch.ts), without gradients. */
export function trunkStates(model: CausalLM, lora: LoraAdapter | null, b: SequenceBatch, c: Compute): tf.Tensor3D {
  return tf.tidy(() => completionHidden(model, lora, b, c).hidden);
}

export interface ValueLossInput {
  values: tf.Tensor2D; // [N, C] current head, differentiable
  oldValues: tf.Tensor2D; // [N, C] at rollout time
  returns: tf.Tensor2D; // [N, C] GAE returns
  mask: tf.Tensor2D; // [N, C]
}

/**
 * Clipped value loss summed over the micro-batch's tokens and divided by `batchTokens` (so micro-batch
 * losses add up to the batch's token mean), times vf_coef; clipFrac counts tokens where clipping bound.
 */
export function clippedValueLoss(
  inp: ValueLossInput,
  vfCoef: number,
  cliprange: number,
  batchTokens: number,
): { loss: tf.Scalar; clipFrac: tf.Scalar } {
  const { values: v, oldValues: old, returns: R, mask } = inp;
  const unclipped = tf.square(tf.sub(v, R));
  if (!(cliprange > 0)) {
    return {
      loss: tf.mul(tf.sum(tf.mul(unclipped, mask)), (0.5 * vfCoef) / Math.max(batchTokens, 1)) as tf.Scalar,
      clipFrac: tf.scalar(0),
    };
  }
  const vClipped = tf.add(old, tf.clipByValue(tf.sub(v, old), -cliprange, cliprange));
  const clipped = tf.square(tf.sub(vClipped, R));
  const worst = tf.maximum(unclipped, clipped);
  const loss = tf.mul(tf.sum(tf.mul(worst, mask)), (0.5 * vfCoef) / Math.max(batchTokens, 1)) as tf.Scalar;
  const bound = tf.cast(tf.greater(clipped, unclipped), 'float32');
  const clipFrac = tf.div(tf.sum(tf.mul(bound, mask)), tf.maximum(tf.sum(mask), 1)) as tf.Scalar;
  return { loss, clipFrac };
}
