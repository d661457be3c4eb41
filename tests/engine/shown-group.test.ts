// The step view's "before -> after" log-probabilities: one group of the step is scored around the update,
// and on a tiny model the update moves each completion's log-probability the way its advantage says.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '../../src/engine/tf.ts';
import { initBackend } from '../../src/engine/backend.ts';
import { Trainer } from '../../src/engine/trainer.ts';
import { shownGroup } from '../../src/engine/shown-group.ts';
import type { CausalLM } from '../../src/engine/model/model.ts';
import { loadTiny, toyConfig, toyDeps } from './trainer-helpers.ts';

let model: CausalLM;
beforeAll(async () => {
  await initBackend('cpu');
  model = await loadTiny('qwen2');
});
afterAll(() => model.dispose());

describe('shownGroup', () => {
  it('is the first group whose rewards differ, nulls aside, else the first', () => {
    expect(shownGroup([1, 1, 1, 0, 0, 1], 3)).toBe(1);
    expect(shownGroup([null, 1, 1, 0, 1, null], 3)).toBe(1);
    expect(shownGroup([1, 1, 1, 1], 2)).toBe(0);
  });
});

describe('log-probabilities around the update', () => {
  const config = (on: boolean) =>
    toyConfig({
      sampling: { num_generations: 4, max_completion_length: 6, max_prompt_length: 16 },
      optim: { learning_rate: 0.01, max_grad_norm: 1, weight_decay: 0 },
      run: { max_steps: 3, prompts_per_step: 2, micro_batch_size: 3, step_view_logprobs: on },
    });

  it('rise for a positive advantage and fall for a negative one, for the shown group only', async () => {
    const t = Trainer.create(config(true), toyDeps(model));
    const base = tf.memory().numTensors;
    await t.trainStep();
    expect(tf.memory().numTensors).toBe(base); // the extra passes keep no tensors
    const measured = t.completions.filter((e) => e.logprob);
    expect(measured).toHaveLength(4); // one group of G
    expect(new Set(measured.map((e) => e.prompt)).size).toBe(1);
    const G = 4,
      rewards = t.completions.map((e) => e.reward);
    expect(t.completions.indexOf(measured[0])).toBe(shownGroup(rewards, G) * G);
    expect(new Set(measured.map((e) => e.reward)).size).toBeGreaterThan(1); // a group that teaches something
    let moved = 0,
      checked = 0;
    for (const e of measured) {
      const { before, after } = e.logprob!;
      expect(before).toBeLessThan(0);
      expect(after).toBeLessThan(0);
      if (Math.abs(e.advantage) > 0.1) {
        expect(Math.sign(after - before)).toBe(Math.sign(e.advantage));
        checked++;
      }
      moved += e.advantage * (after - before);
    }
    expect(checked).toBeGreaterThan(1);
    expect(moved).toBeGreaterThan(0); // the update is a step down the loss -sum(A * log p)
    t.dispose();
  });

  it('are not measured when run.step_view_logprobs is off', async () => {
    const t = Trainer.create(config(false), toyDeps(model));
    await t.trainStep();
    expect(t.completions.some((e) => e.logprob)).toBe(false);
    t.dispose();
  });
});
