// The order in which training rows are visited: a fresh seeded shuffle each epoch, and a cursor (epoch,
// index) that is the whole state, so a run restored from a checkpoint continues with exactly the row it
// would have seen next.
//
//   const c = new ShuffleCursor(rows.length, seed); c.next() // row index
//   const saved = c.state(); ...; c.restore(saved)
import { Rng } from '../engine/rng.ts';
import { DatasetError } from './types.ts';

export interface CursorState {
  size: number;
  seed: number;
  epoch: number;
  index: number;
}

export class CursorMismatchError extends DatasetError {
  override readonly name: string = 'CursorMismatchError';
}

/** A permutation of 0..size-1 (Fisher-Yates), different for every (seed, epoch). */
export function shuffledOrder(size: number, seed: number, epoch: number): Uint32Array {
  const rng = new Rng([seed >>> 0, epoch >>> 0, 0x9e3779b9, 0x85ebca6b]);
  const order = new Uint32Array(size);
  for (let i = 0; i < size; i++) order[i] = i;
  for (let i = size - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

export class ShuffleCursor {
  private order: Uint32Array;
  epoch = 0;
  index = 0;

  constructor(
    readonly size: number,
    readonly seed: number,
  ) {
    if (size < 1) throw new DatasetError('the training split is empty: check the dataset and its field mapping');
    this.order = shuffledOrder(size, seed, 0);
  }

  next(): number {
    if (this.index >= this.size) {
      this.epoch++;
      this.index = 0;
      this.order = shuffledOrder(this.size, this.seed, this.epoch);
    }
    return this.order[this.index++];
  }

  state(): CursorState {
    return { size: this.size, seed: this.seed, epoch: this.epoch, index: this.index };
  }

  restore(s: CursorState): void {
    if (s.size !== this.size || s.seed !== this.seed) {
      throw new CursorMismatchError(
        `the saved data position is for ${s.size} rows with seed ${s.seed}, this dataset has ${this.size} rows with seed ${this.seed}; resume with the same dataset and shuffle_seed`,
      );
    }
    this.epoch = s.epoch;
    this.index = s.index;
    this.order = shuffledOrder(this.size, this.seed, this.epoch);
  }
}
