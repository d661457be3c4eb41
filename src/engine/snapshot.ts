// What a checkpoint holds of a run, as plain data: the trainer writes it (trainer.ts), the checkpoint store
// persists it (checkpoint.ts), and the advantage estimators add their own tensors to it (estimators/).
// The types live here, apart from all three, so that none of them imports another for its types.
import type { RunConfig } from './config.ts';
import type { CompletionLogEntry, OptimPhase, StepMetrics } from './metrics.ts';
import type { EvalResult } from './evaluate.ts';

export type { OptimPhase };

/** Named tensors as data: LoRA weights, AdamW moments, a value head. */
export type TensorMap = Record<string, { shape: number[]; data: Float32Array }>;

/** Everything but tensors that a checkpoint keeps to resume exactly. */
export interface TrainerState {
  step: number;
  optimPhase: OptimPhase;
  optimStep: number;
  rng: number[];
  cursor: unknown;
  numTokens: number;
  history: StepMetrics[];
  completions: CompletionLogEntry[];
  evals: EvalResult[];
  /**
   * The adapter's modules with their own ranks and scales, when it is not on every layer at one rank and
   * scale (a run started from an imported PEFT adapter with a regex target_modules or rank/alpha patterns).
   */
  loraLayout?: { layers: number; modules: { key: string; rank?: number; scale?: number }[] };
}

export interface TrainerSnapshot {
  config: RunConfig;
  state: TrainerState;
  tensors: TensorMap;
}

/** A checkpoint whose bytes or contents do not hold what a resume needs. */
export class CheckpointCorruptError extends Error {
  readonly name = 'CheckpointCorruptError';
}
