// The latest step as the algorithm sees it: the completions log cut into the step's groups (G completions of
// one prompt, prompt-major as the sampler returns them), each group's reward mean and std, and the words for
// where the worker is within a step. Pure functions, so the Run tab and its tests read the same numbers.
//
//   const s = latestStep(run.view.samples, 8); s?.groups[0].mean
import type { CompletionLogEntry, Progress } from '../../worker/protocol.ts';

export interface StepGroup {
  prompt: string;
  entries: CompletionLogEntry[];
  /** Mean and unbiased std (as torch.std) of the group's non-null weighted rewards. */
  mean: number;
  std: number;
}

export interface StepGroups {
  step: number;
  groups: StepGroup[];
  /** Completions of the step the log no longer holds whole (it keeps the newest completions_log_size). */
  partial: boolean;
}

export function groupStats(rewards: (number | null)[]): { mean: number; std: number } {
  const xs = rewards.filter((r): r is number => r !== null && Number.isFinite(r));
  if (!xs.length) return { mean: 0, std: 0 };
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = xs.length < 2 ? 0 : Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1));
  return { mean, std };
}

/** The newest step of the completions log, cut into groups of G; null when the log is empty. */
export function latestStep(samples: readonly CompletionLogEntry[], G: number): StepGroups | null {
  if (!samples.length || G < 1) return null;
  const step = Math.max(...samples.map((s) => s.step));
  const entries = samples.filter((s) => s.step === step);
  // the log drops its oldest entries first: a step cut short lost its first groups, so align from the end
  const skip = entries.length % G;
  const groups: StepGroup[] = [];
  for (let i = skip; i < entries.length; i += G) {
    const g = entries.slice(i, i + G);
    groups.push({ prompt: g[0].prompt, entries: g, ...groupStats(g.map((e) => e.reward)) });
  }
  return { step, groups, partial: skip > 0 };
}

/** Steps a run of this config makes (SFT steps first in mode sft_then_grpo), as the trainer counts them. */
export function plannedSteps(run: { mode: string; max_steps: number; sft_steps: number }): number {
  return run.mode === 'sft_then_grpo' ? run.sft_steps + run.max_steps : run.max_steps;
}

/** Where the worker is within a step, in words: "Sampling 8 answers to each of 8 questions (token 12/64)". */
export function progressWords(p: Progress, ctx: { step: number; G: number; prompts: number; mu: number }): string {
  const count = `${p.done}/${p.total}`;
  switch (p.stage) {
    case 'eval':
      return ctx.step === 0
        ? `Measuring starting accuracy on ${p.total} questions (${count})`
        : `Measuring accuracy on ${p.total} questions (${count})`;
    case 'sample':
      return `Sampling ${ctx.G} answers to each of ${ctx.prompts} questions (token ${count})`;
    case 'score':
      return `Scoring ${p.total} answers`;
    case 'train':
      return ctx.mu > 1 ? `Updating the adapter (pass ${count})` : 'Updating the adapter';
    case 'save':
      return 'Saving a checkpoint';
    case 'load':
      return 'Loading the model';
    case 'prepare':
      return 'Preparing the data';
    case 'download':
      return `Downloading the model (${count})`;
  }
}

/**
 * Seconds left: the median time of the steps measured so far (the first step also compiles the GPU kernels,
 * so it is left out once later ones exist), times the steps to go. Null before the first step ends; `guess`
 * while fewer than three steps have been measured.
 */
export function estimateLeft(stepTimes: number[], left: number): { seconds: number; guess: boolean } | null {
  const times = stepTimes.filter(Number.isFinite);
  if (!times.length) return null;
  const recent = (times.length > 1 ? times.slice(1) : times).slice(-10).sort((a, b) => a - b);
  return { seconds: recent[Math.floor(recent.length / 2)] * left, guess: times.length < 3 };
}
