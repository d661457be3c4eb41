// The contract every reward function implements. A reward scores one sampled completion; it may be
// async (the OCaml checker runs a compiler in a worker) and returns null when it does not apply.
//
//   const fn: RewardFn = (s) => (s.completion.includes('\\boxed') ? 1 : 0);

import type { RewardSample } from '../engine/scoring.ts';

export type { FinishReason, RewardSample } from '../engine/scoring.ts';

/** A reward's verdict: its score plus whatever explains it (extracted answer, compiler messages...). */
export interface RewardResult {
  score: number | null;
  details?: Record<string, unknown>;
}

export type RewardFn = (
  sample: RewardSample,
  options: Record<string, unknown>,
) => RewardResult | number | null | Promise<RewardResult | number | null>;
