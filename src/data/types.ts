// The data layer's shapes: a dataset is rows (plain objects) in a training split and, where it has one,
// a held-out split. Which columns hold the prompt and the gold answer is the run config's field mapping.
export type Row = Record<string, unknown>;

export interface DatasetSplits {
  train: Row[];
  /** Held-out rows; null when the source has no such split (a hold-out is then cut from train). */
  test: Row[] | null;
}

/** A line (or row) that could not be read, named so the user can fix the file. */
export interface RowError {
  line: number;
  message: string;
}

export class DatasetError extends Error {
  readonly name: string = 'DatasetError';
}
