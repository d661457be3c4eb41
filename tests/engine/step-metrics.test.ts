import { describe, it, expect } from 'vitest';
import { updateValues, rewardValues, type UpdateSummary } from '../../src/engine/step-metrics.ts';
import { parseRunConfig } from '../../src/engine/config.ts';
import type { Rollout } from '../../src/engine/rollout.ts';

const u: UpdateSummary = {
  loss: 0.1,
  gradNorm: 1,
  learningRate: 1e-5,
  kl: 0.01,
  entropy: 2,
  clipLow: 0.1,
  clipHigh: 0.2,
  clipRegion: 0.3,
  clipLowMin: 0,
  clipHighMax: 0.5,
  cispoClip: 0.05,
  vespoPhi: 1,
  gradVariance: 0,
  trainTokens: 100,
  trainMs: 1000,
};

describe('step metrics under TRL names and conditions', () => {
  it('logs kl only when beta is not 0', () => {
    expect(updateValues(u, { beta: 0, loss_type: 'dapo' })).not.toHaveProperty('kl');
    expect(updateValues(u, { beta: 0.04, loss_type: 'dapo' }).kl).toBe(0.01);
  });
  it('logs clip ratios with low_min and high_max for clipping losses, cispo_clip_ratio for cispo, none for sapo', () => {
    const dapo = updateValues(u, { beta: 0, loss_type: 'dapo' });
    expect(dapo['clip_ratio/low_min']).toBe(0);
    expect(dapo['clip_ratio/high_max']).toBe(0.5);
    const cispo = updateValues(u, { beta: 0, loss_type: 'cispo' });
    expect(cispo.cispo_clip_ratio).toBe(0.05);
    expect(cispo).not.toHaveProperty('clip_ratio/region_mean');
    expect(Object.keys(updateValues(u, { beta: 0, loss_type: 'sapo' })).some((k) => k.startsWith('clip'))).toBe(false);
    const vespo = updateValues(u, { beta: 0, loss_type: 'vespo' });
    expect(vespo['vespo/phi_seq_mean']).toBe(1);
    expect(Object.keys(vespo).some((k) => k.startsWith('clip'))).toBe(false);
    expect(updateValues(u, { beta: 0, loss_type: 'luspo' })['clip_ratio/high_max']).toBe(0.5);
  });
  it('reward_std is the std over the batch; the mean of the group stds has its own name', () => {
    const config = parseRunConfig({ sampling: { num_generations: 2 } });
    const rewards = [0, 0, 1, 1]; // two groups, each with zero std; batch std > 0
    const roll = { all: { rewards, scores: rewards.map((r) => [r]) } } as unknown as Rollout;
    const v = rewardValues(config, roll);
    expect(v.reward_std).toBeCloseTo(Math.sqrt(1 / 3), 12); // unbiased, as torch.std
    expect(v['reward_std/group_mean']).toBe(0);
  });
});
