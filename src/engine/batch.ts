// Turns ragged token-id rows into the padded tensors the forward pass takes. Rows are left-padded (so
// that every row's last token sits in the last column, as generation needs). `completionHidden` is the
// forward-pass set-up of every training-side pass over prompt + completion (the policy's log-probabilities
// in grpo.ts, the value head's states in estimators/value-head.ts).
import * as tf from './tf.ts';
import { positionsFromMask, type CausalLM } from './model/model.ts';
import type { LoraAdapter } from './lora.ts';
import type { Compute } from './ops/ops.ts';

/** Prompt + completion rows of a training pass. */
export interface SequenceBatch {
  ids: number[][]; // [N, P + C] prompt left-padded to P, completion right-padded to C
  mask: number[][]; // [N, P + C] 1 = real token
  promptLength: number; // P
}

export interface PaddedBatch {
  ids: number[][]; // [B, T]
  mask: number[][]; // [B, T] 1 = real token
  positions: number[][]; // [B, T]
}

export function leftPad(
  rows: number[][],
  padId: number,
  width = Math.max(0, ...rows.map((r) => r.length)),
): PaddedBatch {
  const ids = rows.map((r) => [...Array(width - r.length).fill(padId), ...r]);
  const mask = rows.map((r) => [...Array(width - r.length).fill(0), ...Array(r.length).fill(1)]);
  return { ids, mask, positions: positionsFromMask(mask) };
}

/** The three tensors of a batch whose mask is given explicitly (e.g. from a caller's attention_mask). */
export function batchTensors(
  ids: number[][],
  mask: number[][],
): { ids: tf.Tensor2D; positions: tf.Tensor2D; keyMask: tf.Tensor2D } {
  return {
    ids: tf.tensor2d(ids, undefined, 'int32'),
    positions: tf.tensor2d(positionsFromMask(mask), undefined, 'int32'),
    keyMask: tf.tensor2d(mask, undefined, 'float32'),
  };
}

/**
 * One forward pass over prompt + completion: the hidden states [N, C, D] whose row t predicts completion
 * token t (the state before it), and those tokens [N, C]. Only the completion positions are sliced out, so
 * the LM head never sees the prompt's. Sequences are padded on the prompt side to the Ops' multiple.
 */
export function completionHidden(
  model: CausalLM,
  lora: LoraAdapter | null,
  b0: SequenceBatch,
  c: Compute,
): { hidden: tf.Tensor3D; targets: tf.Tensor2D } {
  const b = padToMultiple(b0, c.ops.sequenceMultiple);
  const N = b.ids.length,
    P = b.promptLength,
    C = b.ids[0].length - P,
    D = model.spec.hidden;
  const t = batchTensors(b.ids, b.mask);
  const { hidden } = model.forward({ ...t, lora, ops: c.ops, checkpoint: c.gradientCheckpointing });
  return {
    hidden: tf.slice(hidden, [0, P - 1, 0], [N, C, D]) as tf.Tensor3D,
    targets: tf.slice(t.ids, [0, P], [N, C]) as tf.Tensor2D,
  };
}

/** The batch with masked pad tokens prepended so that its length is a multiple of `m` (results unchanged). */
export function padToMultiple(b: SequenceBatch, m: number): SequenceBatch {
  const extra = (m - (b.ids[0].length % m)) % m;
  if (!extra) return b;
  const pad = Array(extra).fill(0);
  return {
    ids: b.ids.map((r) => [...pad, ...r]),
    mask: b.mask.map((r) => [...pad, ...r]),
    promptLength: b.promptLength + extra,
  };
}
