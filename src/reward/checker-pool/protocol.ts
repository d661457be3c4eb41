// Messages between a checker pool's slots (slot.ts) and the checker workers they start, for every language
// (OCaml, Python): the worker is initialised once, then runs checks one at a time, saying when it begins each
// one (its time limit counts from there) and posting what the check does as it goes, so a check cut off at
// its limit still reports what it had done. `I` is what a worker starts with, `J` a check, `E` one event.

export type PoolRequest<I, J> = { kind: 'init'; init: I } | { kind: 'check'; id: number; job: J };

export type PoolReply<E> =
  | { kind: 'ready' }
  /** The worker has begun the check: its time limit counts from here. */
  | { kind: 'started'; id: number }
  | { kind: 'progress'; id: number; event: E }
  | { kind: 'done'; id: number }
  | { kind: 'error'; id: number; name: string; message: string };

/** How a check ended: 'ok' (the worker finished it), 'timeout' (cut at its limit), 'crashed' (the worker failed). */
export type PoolCheckStatus = 'ok' | 'timeout' | 'crashed';

/** The little of a worker a slot uses; hosts adapt Web Workers and worker threads to it. */
export interface WorkerPort<I, J, E> {
  post(m: PoolRequest<I, J>): void;
  listen(onMessage: (m: PoolReply<E>) => void, onError: (e: Error) => void): void;
  terminate(): void;
}

/** Where a language's workers come from (browser or Node) and what they are initialised with. */
export interface CheckerHost<I, J, E> {
  spawn(): WorkerPort<I, J, E>;
  /** Loaded once for all the pool's workers (a failed load is retried by the next check). */
  init(): Promise<I>;
}

/** What differs between languages, besides the host. */
export interface CheckerSpec<J, E, R> {
  /** The language, in messages: "the OCaml checker worker did not start ...". */
  label: string;
  /** A worker starts (loads its runtime) within this; it is not part of a check's time. */
  startTimeoutMs: number;
  /** Folds a check's events into its report; used for finished checks and cut-off ones alike. */
  report(events: E[], job: J, status: PoolCheckStatus, elapsedMs: number, reason?: string): R;
}
