// From rewards to advantages, one value per completion (GRPO gives every token of a completion the same
// advantage). Rows are prompt-major groups of G, as the sampler returns them.
//
//   grpo: A_i = (r_i - mean(group)) / (std + 1e-4)              TRL's GRPOTrainer
//   rloo: A_i = r_i - mean(group without i)                       leave-one-out baseline (RLOO)
//   std: of the group (`scale_rewards: group`), of the whole batch (`batch`), or 1 (`none`, Dr. GRPO)
//
// Departure from TRL: a completion whose every reward is null (no reward function applied) gets
// advantage 0 and is left out of its group's statistics; TRL sums NaN rewards to 0 and compares it with
// the others, which pushes such completions down for something nobody scored.
import { mean, sampleStd } from './stats.ts';
import type { RunConfig } from './config.ts';

export type ScaleRewards = RunConfig['grpo']['scale_rewards'];
/** The estimators whose advantage comes from the completion's group alone (of grpo.advantage_estimator). */
export type GroupEstimator = Extract<RunConfig['grpo']['advantage_estimator'], 'grpo' | 'rloo'>;

export class GroupShapeError extends Error {
  readonly name = 'GroupShapeError';
}

export interface Advantages {
  advantages: number[]; // [B]
  groupMean: number[]; // [B / G] over non-null rewards
  groupStd: number[]; // [B / G] unbiased, as torch.std
  zeroStdGroups: number; // groups whose (non-null) rewards are all equal: no learning signal
}

/** Weighted sum of each completion's rewards [B][R]; null where every reward is null (nulls count as absent). */
export function totalRewards(scores: (number | null)[][], weights: number[]): (number | null)[] {
  return scores.map((row) => {
    let any = false,
      sum = 0;
    row.forEach((s, j) => {
      if (s !== null && Number.isFinite(s)) {
        any = true;
        sum += s * weights[j];
      }
    });
    return any ? sum : null;
  });
}

export function computeAdvantages(
  rewards: (number | null)[],
  G: number,
  scale: ScaleRewards,
  estimator: GroupEstimator = 'grpo',
): Advantages {
  if (rewards.length % G !== 0)
    throw new GroupShapeError(`advantages: ${rewards.length} rewards is not a multiple of the group size ${G}`);
  const groups = Array.from({ length: rewards.length / G }, (_, g) => rewards.slice(g * G, (g + 1) * G));
  const present = groups.map((grp) => grp.filter((r): r is number => r !== null));
  const groupMean = present.map(mean);
  const groupStd = present.map(sampleStd);
  const batchStd = sampleStd(present.flat());
  const zeroStdGroups = present.filter((p) => p.length < 2 || p.every((r) => Math.abs(r - p[0]) < 1e-8)).length;
  const advantages = rewards.map((r, i) => {
    const g = Math.floor(i / G),
      n = present[g].length;
    if (r === null || n < 2) return 0;
    const centred = estimator === 'rloo' ? r - (groupMean[g] * n - r) / (n - 1) : r - groupMean[g];
    const s = scale === 'group' ? groupStd[g] : scale === 'batch' ? batchStd : 1;
    return scale === 'none' ? centred : centred / (s + 1e-4);
  });
  return { advantages, groupMean, groupStd, zeroStdGroups };
}

/** Indices of the groups whose non-null rewards are not all equal (DAPO's dynamic sampling keeps these). */
export function mixedGroups(rewards: (number | null)[], G: number): number[] {
  const out: number[] = [];
  for (let g = 0; g * G < rewards.length; g++) {
    const p = rewards.slice(g * G, (g + 1) * G).filter((r): r is number => r !== null);
    if (p.length >= 2 && p.some((r) => Math.abs(r - p[0]) >= 1e-8)) out.push(g);
  }
  return out;
}

/**
 * A reward's weight at `progress` (fraction of the run done) under a curriculum: `weight` until
 * `phase_start`, then linear to `weight_end` at `phase_end`, constant after. Without `weight_end`, constant.
 */
export function curriculumWeight(
  spec: { weight: number; weight_end?: number; phase_start: number; phase_end: number },
  progress: number,
): number {
  if (spec.weight_end === undefined) return spec.weight;
  if (progress <= spec.phase_start) return spec.weight;
  if (progress >= spec.phase_end) return spec.weight_end;
  const f = (progress - spec.phase_start) / Math.max(1e-9, spec.phase_end - spec.phase_start);
  return spec.weight + f * (spec.weight_end - spec.weight);
}
