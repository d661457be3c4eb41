// The types the engine and the reward functions share: a sampled completion as a reward sees it, why its
// generation ended, and the table of scores a scorer returns for a batch. The engine builds samples and
// reads scores (rollout.ts); the rewards (src/reward) score samples. Both import these from here, so the
// engine never imports the rewards' modules.
export type FinishReason = 'stop' | 'length';

export interface RewardSample {
  prompt: string;
  completion: string;
  completionIds: number[];
  /** The dataset row the prompt came from (gold answer, tests, ...). */
  row: Record<string, unknown>;
  finishReason: FinishReason;
  /** Fraction of the run done, in [0, 1]: lets weights follow a curriculum. */
  progress?: number;
}

/** Scores [B][R] in the order of config.rewards (null: the reward does not apply) and what each reported. */
export interface ScoreTable {
  scores: (number | null)[][];
  details?: (Record<string, unknown> | undefined)[][];
}

export type Scorer = (samples: RewardSample[]) => Promise<ScoreTable>;
