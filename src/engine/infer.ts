// Whole-sequence inference helpers built on the forward pass: full logits of a batch (for `webgrpo logits`
// and the parity tests) and per-token log-probabilities of completions (for GRPO's old and reference
// log-probabilities), computed without gradients.
import * as tf from './tf.ts';
import type { CausalLM } from './model/model.ts';
import type { LoraAdapter } from './lora.ts';
import { batchTensors } from './batch.ts';
import type { Ops } from './ops/ops.ts';

/** Logits [B, T, V] of token ids under an attention mask (1 = token, 0 = padding). */
export function fullLogits(
  model: CausalLM,
  lora: LoraAdapter | null,
  ids: number[][],
  mask: number[][],
  ops: Ops,
): tf.Tensor3D {
  return tf.tidy(() => {
    const b = batchTensors(ids, mask);
    const { hidden } = model.forward({ ...b, lora, ops });
    const [B, T, D] = hidden.shape;
    return model.logits(hidden.reshape([B * T, D]), ops).reshape([B, T, -1]) as tf.Tensor3D;
  });
}

/** Downloads a [B, T, V] tensor as nested arrays. */
export async function toNested(t: tf.Tensor): Promise<number[][][]> {
  return (await t.array()) as number[][][];
}
