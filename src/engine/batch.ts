// Turns ragged token-id rows into the padded tensors the forward pass takes. Rows are left-padded (so
// that every row's last token sits in the last column, as generation needs).
import * as tf from './tf.ts';
import { positionsFromMask } from './model/model.ts';

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
