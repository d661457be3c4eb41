// Real learning tests of each estimator on the tiny model, with the reward for tokens of a target set that
// trainer-learn.test.ts uses for GRPO. Measured on the CPU backend (seed 3, 30 steps, 4 prompts x 8
// completions), mean reward of the first 5 steps -> the last 5:
//   rloo     0.30 -> 0.72
//   vineppo  0.29 -> 0.64   (K = 4, at most 3 steps per completion; a step ends at a "newline" token)
//   ppo      0.21 -> 0.44   (the value head starts untrained, so early advantages are noisy)
// The thresholds leave a margin below those gains.
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '../../src/engine/tf.ts';
import { initBackend } from '../../src/engine/backend.ts';
import { Trainer } from '../../src/engine/trainer.ts';
import { mean } from '../../src/engine/stats.ts';
import { codec, loadTiny, toyConfig, toyDeps } from './trainer-helpers.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

// one token in eight reads as a newline, so completions have several VinePPO steps
const lineCodec = {
  ...codec,
  decode: (ids: number[]) => ids.map((i) => (i % 8 === 1 ? '\n' : String.fromCharCode(48 + (i % 64)))).join(''),
};

const cases = [
  { estimator: 'rloo', grpo: {}, gain: 0.25, metrics: ['grad_variance'] },
  {
    estimator: 'vineppo',
    grpo: { vineppo_k: 4, vineppo_max_steps: 3 },
    gain: 0.2,
    metrics: ['mc_values/mean', 'step_advantages/std', 'vineppo/rollouts'],
  },
  { estimator: 'ppo', grpo: {}, gain: 0.1, metrics: ['value_loss', 'explained_variance', 'value_clipfrac'] },
] as const;

describe('each advantage estimator learns a trivially learnable reward', () => {
  for (const c of cases) {
    it(`${c.estimator}: the mean reward rises over 30 steps, and every tensor is freed`, async () => {
      const model = await loadTiny('qwen2');
      const base = tf.memory().numTensors;
      const config = toyConfig({
        run: { max_steps: 30, prompts_per_step: 4 },
        sampling: { num_generations: 8 },
        grpo: { advantage_estimator: c.estimator, ...c.grpo },
      });
      const t = Trainer.create(config, { ...toyDeps(model), codec: lineCodec });
      const afterCreate = tf.memory().numTensors;
      const rewards: number[] = [];
      while (!t.done) {
        const m = (await t.trainStep()).metrics;
        rewards.push(m.values.reward);
        for (const k of c.metrics) expect(Number.isFinite(m.values[k]), k).toBe(true);
        expect(tf.memory().numTensors).toBe(afterCreate);
      }
      expect(mean(rewards.slice(-5))).toBeGreaterThan(mean(rewards.slice(0, 5)) + c.gain);
      if (c.estimator === 'vineppo') expect(t.history.at(-1)!.histograms!.step_values.length).toBeGreaterThan(0);
      t.dispose();
      expect(tf.memory().numTensors).toBe(base);
      model.dispose();
    }, 300_000);
  }
});
