// A real learning test: GRPO on the tiny model with a reward for tokens of a target set. Measured on the
// CPU backend (seed 3, 30 steps, 4 prompts x 8 completions): mean reward of the first 5 steps about 0.30,
// of the last 5 about 0.77; the threshold leaves a wide margin.
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '../../src/engine/tf.ts';
import { initBackend } from '../../src/engine/backend.ts';
import { Trainer } from '../../src/engine/trainer.ts';
import { mean } from '../../src/engine/stats.ts';
import { loadTiny, toyConfig, toyDeps } from './trainer-helpers.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('GRPO learns a trivially learnable reward', () => {
  it('raises the mean reward of a tiny model over 30 steps, and frees every tensor', async () => {
    const model = await loadTiny('qwen2');
    const base = tf.memory().numTensors;
    const t = Trainer.create(
      toyConfig({ run: { max_steps: 30, prompts_per_step: 4 }, sampling: { num_generations: 8 } }),
      toyDeps(model),
    );
    const afterCreate = tf.memory().numTensors;
    const rewards: number[] = [];
    while (!t.done) {
      rewards.push((await t.trainStep()).metrics.values.reward);
      expect(tf.memory().numTensors).toBe(afterCreate); // no tensor survives a step
    }
    const first = mean(rewards.slice(0, 5)),
      last = mean(rewards.slice(-5));
    expect(last).toBeGreaterThan(first + 0.25);
    const m = t.history.at(-1)!.values;
    for (const k of [
      'reward',
      'reward_std',
      'rewards/hits/mean',
      'rewards/hits/std',
      'reward_std/group_mean',
      'frac_reward_zero_std',
      'entropy',
      'loss',
      'grad_norm',
      'learning_rate',
      'clip_ratio/low_mean',
      'clip_ratio/high_mean',
      'clip_ratio/region_mean',
      'clip_ratio/low_min',
      'clip_ratio/high_max',
      'completions/mean_length',
      'completions/min_length',
      'completions/max_length',
      'completions/clipped_ratio',
      'completions/mean_terminated_length',
      'num_tokens',
      'step_time',
      'tokens_per_second/sample',
      'tokens_per_second/train',
    ]) {
      expect(Number.isFinite(m[k]), k).toBe(true);
    }
    expect(m.kl, 'as TRL, kl is logged only when beta is not 0').toBeUndefined();
    t.dispose();
    expect(tf.memory().numTensors).toBe(base);
    model.dispose();
  });
});
