// The estimators on the tiny model: VinePPO's Monte Carlo values from real continuations, exact resume
// of a PPO run (the value head and its AdamW travel in the snapshot), and the gradient-variance metric.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '../../src/engine/tf.ts';
import { initBackend } from '../../src/engine/backend.ts';
import { LoraAdapter } from '../../src/engine/lora.ts';
import { Rng } from '../../src/engine/rng.ts';
import { Trainer } from '../../src/engine/trainer.ts';
import type { CausalLM } from '../../src/engine/model/model.ts';
import type { RewardSample } from '../../src/reward/types.ts';
import { mcValueEstimator } from '../../src/engine/estimators/vine-rollouts.ts';
import { codec, loadTiny, toyConfig, toyDeps, toyStream } from './trainer-helpers.ts';
import { runCompute } from '../../src/engine/ops/index.ts';

let model: CausalLM;
beforeAll(async () => {
  await initBackend('cpu');
  model = await loadTiny('qwen2');
});
afterAll(() => model.dispose());

describe('VinePPO Monte Carlo values', () => {
  it('value = mean weighted reward of K continuations of the prefix, within the length budget', async () => {
    const config = toyConfig({ sampling: { max_completion_length: 6 }, rewards: [{ name: 'len', weight: 2 }] });
    const lora = LoraAdapter.create(
      model.spec,
      { r: 4, alpha: 8, dropout: 0, targetModules: ['q_proj'], useRslora: false },
      1,
    );
    const base = tf.memory().numTensors;
    const scored: RewardSample[] = [];
    // a deterministic reward of the whole completion: its length over 6 (weight 2 doubles it)
    const score = async (s: RewardSample[]) => {
      scored.push(...s);
      return { scores: s.map((x) => [x.completionIds.length / 6]) };
    };
    const stream = toyStream(5),
      examples = [stream.next(), stream.next()];
    const rows = [
      { promptIds: examples[0].promptIds, completionIds: [7, 9, 11] },
      { promptIds: examples[1].promptIds, completionIds: [13] },
    ];
    const ctx = { model, lora, compute: runCompute(config.run), codec, score, rng: new Rng(2), config, progress: 0 };
    const queries = [
      { row: 0, length: 0 },
      { row: 0, length: 2 },
      { row: 1, length: 1 },
    ];
    const values = await mcValueEstimator(ctx, rows, examples, { k: 3, maxRows: 6 })(queries);
    expect(scored).toHaveLength(9);
    // states go by remaining budget, longest first (6, 5, 4 tokens), two states (6 sampler rows) per call
    const order = [0, 2, 1];
    order.forEach((qi, b) => {
      const q = queries[qi],
        block = scored.slice(b * 3, b * 3 + 3),
        head = rows[q.row].completionIds.slice(0, q.length);
      for (const s of block) {
        expect(s.prompt).toBe(examples[q.row].prompt);
        expect(s.completionIds.slice(0, q.length)).toEqual(head); // continues the prefix
        expect(s.completionIds.length).toBeLessThanOrEqual(6); // within max_completion_length
      }
      const mean = block.reduce((a, s) => a + (2 * s.completionIds.length) / 6, 0) / 3;
      expect(values[qi]).toBeCloseTo(mean, 10);
    });
    expect(tf.memory().numTensors).toBe(base);
    lora.dispose();
  });
});

describe('PPO state in checkpoints', () => {
  it('a restored run continues with the same value head as an uninterrupted one', async () => {
    const cfg = () =>
      toyConfig({
        grpo: { advantage_estimator: 'ppo', num_iterations: 2, cliprange_value: 0.1 },
        run: { max_steps: 3 },
      });
    const straight = Trainer.create(cfg(), toyDeps(model));
    while (!straight.done) await straight.trainStep();
    const first = Trainer.create(cfg(), toyDeps(model));
    await first.trainStep();
    await first.trainStep();
    const snap = await first.snapshot();
    expect(Object.keys(snap.tensors).filter((k) => k.startsWith('value_head.'))).toHaveLength(4 + 8 + 1);
    first.dispose();
    const resumed = Trainer.restore(snap, toyDeps(model));
    await resumed.trainStep();
    const a = straight.history.at(-1)!.values,
      b = resumed.history.at(-1)!.values;
    for (const k of ['reward', 'loss', 'value_loss', 'explained_variance'])
      expect(Math.abs(a[k] - b[k]), k).toBeLessThan(1e-5);
    expect(a.value_clipfrac).toBeGreaterThanOrEqual(0);
    straight.dispose();
    resumed.dispose();
  });
});

describe('gradient variance over micro-batches', () => {
  it('is positive with several micro-batches and 0 with one', async () => {
    for (const [micro, positive] of [
      [2, true],
      [8, false],
    ] as const) {
      const t = Trainer.create(toyConfig({ run: { max_steps: 1, micro_batch_size: micro } }), toyDeps(model));
      const v = (await t.trainStep()).metrics.values.grad_variance;
      expect(Number.isFinite(v)).toBe(true);
      expect(v > 0).toBe(positive);
      t.dispose();
    }
  });
});

describe('estimators with dynamic sampling', () => {
  it('a step whose groups were all dropped skips the update instead of failing', async () => {
    // a constant reward: every group is uniform, so dynamic sampling keeps none
    const flat = async (s: RewardSample[]) => ({ scores: s.map(() => [1]) });
    for (const estimator of ['vineppo', 'ppo'] as const) {
      const t = Trainer.create(
        toyConfig({
          grpo: { advantage_estimator: estimator, dynamic_sampling: true, max_generation_rounds: 1 },
          run: { max_steps: 1 },
        }),
        toyDeps(model, { score: flat }),
      );
      const v = (await t.trainStep()).metrics.values;
      expect(v.skipped_update).toBe(1);
      t.dispose();
    }
  });
});
