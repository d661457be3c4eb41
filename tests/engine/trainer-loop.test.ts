import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '../../src/engine/tf.ts';
import { initBackend } from '../../src/engine/backend.ts';
import { Trainer, type Scorer } from '../../src/engine/trainer.ts';
import { runTraining } from '../../src/engine/run-loop.ts';
import { rollout } from '../../src/engine/rollout.ts';
import { Rng } from '../../src/engine/rng.ts';
import type { CausalLM } from '../../src/engine/model/model.ts';
import { loadTiny, toyConfig, toyDeps, toyStream, hitsScorer, codec } from './trainer-helpers.ts';
import { maxAbsDiff } from './fixtures.ts';
import { runCompute } from '../../src/engine/ops/index.ts';

const CPU = runCompute({ fused_kernels: true, gradient_checkpointing: false });

let model: CausalLM;
beforeAll(async () => {
  await initBackend('cpu');
  model = await loadTiny('qwen2');
});
afterAll(() => model.dispose());

async function loraValues(t: Trainer): Promise<Float32Array> {
  const parts = await Promise.all(t.lora.variables().map((v) => v.data() as Promise<Float32Array>));
  return Float32Array.from(parts.flatMap((p) => Array.from(p)));
}

describe('micro-batching', () => {
  for (const loss_type of ['grpo', 'dr_grpo', 'dapo', 'luspo', 'vespo'] as const) {
    it(`${loss_type}: the summed micro-batch losses and the update equal the full batch's`, async () => {
      const run = async (micro: number) => {
        const t = Trainer.create(
          toyConfig({ grpo: { loss_type }, run: { max_steps: 1, micro_batch_size: micro } }),
          toyDeps(model),
        );
        const loss = (await t.trainStep()).metrics.values.loss;
        const w = await loraValues(t);
        t.dispose();
        return { loss, w };
      };
      const full = await run(8),
        split = await run(3); // 8 rows: micro-batches of 3, 3, 2
      expect(split.loss).toBeCloseTo(full.loss, 6);
      // AdamW's first update is about lr * sign(g), so float noise in tiny gradients shows at ~1e-5
      expect(maxAbsDiff(split.w, full.w)).toBeLessThan(1e-4);
    });
  }
});

describe('dynamic sampling', () => {
  it('fills the batch only with groups whose rewards differ, within the round cap', async () => {
    // even-indexed examples score 1 for every completion: their groups carry no signal and must be dropped
    const score: Scorer = async (samples) => {
      const base = await hitsScorer(samples);
      return { scores: samples.map((s, i) => ((s.row.index as number) % 2 === 0 ? [1] : base.scores[i])) };
    };
    const config = toyConfig({
      grpo: { dynamic_sampling: true, max_generation_rounds: 5 },
      run: { prompts_per_step: 3 },
    });
    const stream = toyStream(5);
    const r = await rollout(
      { model, lora: null as never, compute: CPU, codec, score, rng: new Rng(1), config, progress: 0 },
      stream,
    );
    const G = config.sampling.num_generations;
    expect(r.kept.examples.length).toBe(3);
    expect(r.rounds).toBeGreaterThan(1);
    for (let g = 0; g < 3; g++) {
      const rw = r.kept.rewards.slice(g * G, (g + 1) * G);
      expect(new Set(rw).size, `group ${g}`).toBeGreaterThan(1);
      expect((r.kept.examples[g].row.index as number) % 2).toBe(1);
    }
    expect(r.all.examples.length).toBe(3 * r.rounds);
  });
  it('stops at the round cap with what it has', async () => {
    const constant: Scorer = async (samples) => ({ scores: samples.map(() => [0.5]) });
    const config = toyConfig({ grpo: { dynamic_sampling: true, max_generation_rounds: 2 } });
    const r = await rollout(
      { model, lora: null as never, compute: CPU, codec, score: constant, rng: new Rng(1), config, progress: 0 },
      toyStream(5),
    );
    expect(r.rounds).toBe(2);
    expect(r.kept.examples.length).toBe(0);
  });
});

describe('curriculum', () => {
  it('moves reward weights with the fraction of the run done', async () => {
    const two: Scorer = async (samples) => ({ scores: (await hitsScorer(samples)).scores.map((r) => [r[0], 1]) });
    const config = toyConfig({
      rewards: [
        { name: 'hits', weight: 1, weight_end: 0, phase_start: 0, phase_end: 0.5 },
        { name: 'one', weight: 0, weight_end: 1, phase_start: 0, phase_end: 0.5 },
      ],
      run: { max_steps: 2 },
    });
    const t = Trainer.create(config, toyDeps(model, { score: two }));
    const first = (await t.trainStep()).metrics.values,
      second = (await t.trainStep()).metrics.values;
    expect(first.reward).toBeCloseTo(first['rewards/hits/mean'], 9); // progress 0: only hits counts
    expect(second.reward).toBeCloseTo(1, 9); // progress 0.5: only one counts
    expect(second['rewards/one/mean']).toBe(1);
    t.dispose();
  });
});

describe('SFT', () => {
  it('lowers the cross-entropy on reference answers; sft_then_grpo chains the two', async () => {
    const base = tf.memory().numTensors;
    const t = Trainer.create(
      toyConfig({ run: { mode: 'sft', max_steps: 12 } }),
      toyDeps(model, { withTarget: true, evalN: 2 }),
    );
    const losses: number[] = [];
    while (!t.done) losses.push((await t.trainStep()).metrics.values.loss);
    expect(losses.at(-1)!).toBeLessThan(losses[0] * 0.7);
    await t.evaluate();
    t.dispose();
    expect(tf.memory().numTensors).toBe(base); // SFT steps and evaluation free every tensor
    const c = Trainer.create(
      toyConfig({ run: { mode: 'sft_then_grpo', sft_steps: 2, max_steps: 2 } }),
      toyDeps(model, { withTarget: true }),
    );
    while (!c.done) await c.trainStep();
    expect(c.history.map((m) => m.phase)).toEqual(['sft', 'sft', 'grpo', 'grpo']);
    c.dispose();
  });
  it('says which field to set when examples have no reference answer', async () => {
    const t = Trainer.create(toyConfig({ run: { mode: 'sft' } }), toyDeps(model));
    await expect(t.trainStep()).rejects.toThrow(/answer_field/);
    t.dispose();
  });
});

describe('the run loop', () => {
  it('evaluates at the start and every eval_steps, pauses between steps and continues', async () => {
    const t = Trainer.create(
      toyConfig({ run: { max_steps: 3, eval_steps: 2, eval_examples: 4 } }),
      toyDeps(model, { evalN: 4 }),
    );
    let allow = 1;
    const evals: number[] = [];
    const hooks = {
      shouldContinue: () => allow-- > 0,
      onEval: (r: { step: number }) => {
        evals.push(r.step);
      },
    };
    expect(await runTraining(t, hooks)).toBe('interrupted');
    expect(t.step).toBe(1);
    allow = 100;
    expect(await runTraining(t, hooks)).toBe('done');
    expect(evals).toEqual([0, 2, 3]);
    const e = t.evals[1];
    expect(e.n).toBe(4);
    expect(e.interval[0]).toBeLessThanOrEqual(e.accuracy);
    expect(e.interval[1]).toBeGreaterThanOrEqual(e.accuracy);
    expect(t.history[1].values.eval_accuracy).toBe(e.accuracy);
    expect(Object.keys(e.metrics).every((k) => k.startsWith('eval_'))).toBe(true);
    t.dispose();
  });
  it('pass@1 over k samples: k completions per example, correctness by the eval reward and threshold', async () => {
    const t = Trainer.create(
      toyConfig({ run: { eval_num_samples: 3, eval_threshold: 0.5 } }),
      toyDeps(model, { evalN: 3 }),
    );
    const e = await t.evaluate();
    expect(e.k).toBe(3);
    for (const ex of e.examples) {
      expect(ex.completions).toHaveLength(3);
      expect(ex.correct).toBeCloseTo(ex.scores.filter((s) => s !== null && s >= 0.5).length / 3, 9);
    }
    expect(e.accuracy).toBeCloseTo(e.examples.reduce((a, x) => a + x.correct, 0) / 3, 9);
    // evaluation has its own generator: training samples the same afterwards as without it
    const u = Trainer.create(toyConfig(), toyDeps(model));
    const [a, b] = [(await t.trainStep()).metrics.values.reward, (await u.trainStep()).metrics.values.reward];
    expect(a).toBe(b);
    t.dispose();
    u.dispose();
  });
  it('with num_iterations 2 and beta > 0 reports KL and clipping, and frees every tensor', async () => {
    const base = tf.memory().numTensors;
    const t = Trainer.create(
      toyConfig({ grpo: { num_iterations: 2, beta: 0.04, epsilon_high: 0.28 }, run: { max_steps: 3 } }),
      toyDeps(model),
    );
    while (!t.done) await t.trainStep();
    const v = t.history.at(-1)!.values;
    expect(v.kl).toBeGreaterThan(0);
    expect(v['clip_ratio/region_mean']).toBeGreaterThanOrEqual(0);
    t.dispose();
    expect(tf.memory().numTensors).toBe(base);
  });
});
