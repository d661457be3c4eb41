// What a step of either phase (rl-step.ts, env-step.ts, sft-step.ts) gets from the trainer and gives back,
// and what the trainer is built from: types only, apart from the trainer and the steps so that neither
// imports the other for them.
import type { RunConfig } from './config.ts';
import type { CausalLM } from './model/model.ts';
import type { LoraAdapter } from './lora.ts';
import type { Rng } from './rng.ts';
import type { AdamW } from './optim.ts';
import type { Codec, Example, ExampleStream, Scorer } from './rollout.ts';
import type { CompletionLogEntry, StepMetrics } from './metrics.ts';
import type { EnvRunDeps } from './env-rollout.ts';
import type { AdvantageEstimator } from './estimators/index.ts';
import type { Compute } from './ops/ops.ts';

export interface TrainerDeps {
  model: CausalLM;
  codec: Codec;
  train: ExampleStream;
  evalSet: Example[];
  score: Scorer;
  /** Environment runs (config.environment.envs): the registered environments and the chat template as ids. */
  envs?: EnvRunDeps;
  onProgress?: (stage: 'sample' | 'score' | 'train' | 'eval', done: number, total: number) => void;
}

/** What a step of either phase needs from the trainer (its state is the trainer's; steps only read it). */
export interface StepContext {
  config: RunConfig;
  deps: TrainerDeps;
  lora: LoraAdapter;
  compute: Compute;
  rng: Rng;
  optim: AdamW;
  estimator: AdvantageEstimator;
  /** Steps done before this one, SFT steps of the run, and the fraction of the run done. */
  step: number;
  sftSteps: number;
  progress: number;
}

/** One step's outcome; `tokens` is how many prompt and completion tokens it processed (for num_tokens). */
export interface PhaseResult {
  values: Record<string, number>;
  samples: CompletionLogEntry[];
  histograms?: StepMetrics['histograms'];
  tokens: number;
}
