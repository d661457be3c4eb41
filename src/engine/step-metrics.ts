// A GRPO step's metrics under TRL's names, and its completions-log entries. Reward and length statistics
// cover every completion generated in the step (with dynamic sampling, also the dropped groups: they
// measure the policy); loss, KL, entropy and clip ratios cover the trained batch.
import type { RunConfig } from './config.ts';
import type { Rollout } from './rollout.ts';
import { computeAdvantages } from './advantages.ts';
import type { CompletionLogEntry } from './metrics.ts';
import { finite, mean, sampleStd } from './stats.ts';

/** What the policy-update passes measured (sums over micro-batches, means over the mu passes). */
export interface UpdateSummary {
  loss: number;
  gradNorm: number;
  learningRate: number;
  kl: number;
  entropy: number; // token mean over the batch
  clipLow: number;
  clipHigh: number;
  clipRegion: number;
  clipLowMin: number;
  clipHighMax: number;
  cispoClip: number;
  vespoPhi: number;
  gradVariance: number; // variance of the micro-batch gradient estimates (step.ts), mean over passes
  trainTokens: number; // tokens through forward + backward, all passes
  trainMs: number;
}

export function rewardValues(config: RunConfig, roll: Rollout): Record<string, number> {
  const G = config.sampling.num_generations,
    all = roll.all;
  const rewards = finite(all.rewards);
  const stats = computeAdvantages(all.rewards, G, 'group', 'grpo');
  const v: Record<string, number> = {
    reward: mean(rewards),
    reward_std: sampleStd(rewards), // over the batch, as TRL logs it
    'reward_std/group_mean': mean(stats.groupStd), // the mean of the group stds, what scale_rewards: group divides by
    frac_reward_zero_std: stats.zeroStdGroups / Math.max(1, stats.groupStd.length),
  };
  config.rewards.forEach((r, j) => {
    const col = finite(all.scores.map((s) => s[j]));
    v[`rewards/${r.name}/mean`] = mean(col);
    v[`rewards/${r.name}/std`] = sampleStd(col);
  });
  return v;
}

export function lengthValues(roll: Rollout): Record<string, number> {
  const lens = roll.all.completions.map((c) => c.length);
  const term = lens.filter((_, r) => roll.all.finish[r] === 'stop');
  return {
    'completions/mean_length': mean(lens),
    'completions/min_length': Math.min(...lens),
    'completions/max_length': Math.max(...lens),
    'completions/clipped_ratio': lens.length ? (lens.length - term.length) / lens.length : 0,
    'completions/mean_terminated_length': mean(term),
    'completions/min_terminated_length': term.length ? Math.min(...term) : 0,
    'completions/max_terminated_length': term.length ? Math.max(...term) : 0,
  };
}

export function updateValues(
  u: UpdateSummary | null,
  grpo?: Pick<RunConfig['grpo'], 'beta' | 'loss_type'>,
): Record<string, number> {
  const withKl = !grpo || grpo.beta !== 0; // as TRL: kl is logged only when there is a KL term
  if (!u) return { loss: 0, grad_norm: 0, ...(withKl ? { kl: 0 } : {}), skipped_update: 1 };
  const loss = grpo?.loss_type ?? 'dapo';
  // TRL logs clip ratios for the clipping losses, cispo_clip_ratio for cispo, the mean weight for vespo,
  // and none of them for sapo
  const clip: Record<string, number> =
    loss === 'cispo'
      ? { cispo_clip_ratio: u.cispoClip }
      : loss === 'vespo'
        ? { 'vespo/phi_seq_mean': u.vespoPhi }
        : loss === 'sapo'
          ? {}
          : {
              'clip_ratio/low_mean': u.clipLow,
              'clip_ratio/high_mean': u.clipHigh,
              'clip_ratio/region_mean': u.clipRegion,
              'clip_ratio/low_min': u.clipLowMin,
              'clip_ratio/high_max': u.clipHighMax,
            };
  return {
    loss: u.loss,
    grad_norm: u.gradNorm,
    learning_rate: u.learningRate,
    ...(withKl ? { kl: u.kl } : {}),
    entropy: u.entropy,
    ...clip,
    grad_variance: u.gradVariance,
    'tokens_per_second/train': u.trainTokens / Math.max(1e-3, u.trainMs / 1000),
  };
}

/** Advantages of every generated row: the trained ones' values, 0 for groups dynamic sampling dropped. */
export function advantagesOfAll(roll: Rollout, keptAdvantages: number[], G: number): number[] {
  const out = roll.all.rewards.map(() => 0);
  roll.keptGroups.forEach((g, i) => {
    for (let j = 0; j < G; j++) out[g * G + j] = keptAdvantages[i * G + j];
  });
  return out;
}

/** One group's completion log-probabilities around the update; `group` indexes the groups of `roll.all`. */
export interface ShownLogprobs {
  group: number;
  before: number[];
  after: number[];
}

export function logEntries(
  config: RunConfig,
  roll: Rollout,
  advantages: number[],
  step: number,
  shown?: ShownLogprobs,
): CompletionLogEntry[] {
  const G = config.sampling.num_generations,
    all = roll.all;
  return all.completions.map((ids, r) => {
    const rewards: Record<string, number | null> = {},
      details: Record<string, unknown> = {};
    config.rewards.forEach((spec, j) => {
      rewards[spec.name] = all.scores[r][j];
      if (all.details[r]?.[j]) details[spec.name] = all.details[r][j];
    });
    return {
      step,
      prompt: all.examples[Math.floor(r / G)].prompt,
      completion: all.texts[r],
      rewards,
      reward: all.rewards[r],
      advantage: advantages[r],
      finish: all.finish[r],
      length: ids.length,
      ...(Object.keys(details).length ? { details } : {}),
      ...(shown && Math.floor(r / G) === shown.group
        ? { logprob: { before: shown.before[r % G], after: shown.after[r % G] } }
        : {}),
    };
  });
}
