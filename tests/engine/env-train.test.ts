// Training on environments with the tiny model (CPU backend): GRPO and PPO steps record per-turn rewards
// and env/* metrics, the loss is finite, the adapter moves, no tensor leaks; evaluation plays held-out
// episodes per environment; the built-in grid_world runs through the same path.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as tf from '../../src/engine/tf.ts';
import { initBackend } from '../../src/engine/backend.ts';
import type { CausalLM } from '../../src/engine/model/model.ts';
import { Trainer, type TrainerDeps } from '../../src/engine/trainer.ts';
import { runTraining } from '../../src/engine/run-loop.ts';
import { EVAL_SEED_BASE } from '../../src/engine/env-step.ts';
import { noDataStream } from '../../src/data/env-inputs.ts';
import '../../src/env/builtins.ts';
import { envDef } from '../../src/env/registry.ts';
import type { EpisodeRecord } from '../../src/env/types.ts';
import { codec, loadTiny, toyStream } from './trainer-helpers.ts';
import { envConfig, toyChat, toyEnvs } from './env-helpers.ts';

let model: CausalLM;
beforeAll(async () => {
  await initBackend('cpu');
  model = await loadTiny('qwen2');
});
afterAll(() => model.dispose());

const deps = (envs = toyEnvs()): TrainerDeps => ({
  model,
  codec,
  train: noDataStream(),
  evalSet: [],
  score: async () => ({ scores: [] }),
  envs,
});

async function weights(t: Trainer): Promise<number[]> {
  const parts = await Promise.all(t.lora.variables().map((v) => v.data()));
  return parts.flatMap((p) => Array.from(p as Float32Array));
}

async function trainsAndMoves(t: Trainer, moves = true): Promise<Record<string, number>[]> {
  const before = await weights(t),
    base = tf.memory().numTensors;
  const out: Record<string, number>[] = [];
  while (!t.done) {
    const r = await t.trainStep();
    expect(tf.memory().numTensors).toBe(base); // no tensor survives a step
    out.push(r.metrics.values);
    for (const s of r.samples) {
      const ep = (s.details as Record<string, { episode: EpisodeRecord; turns: { reward: number }[] }>)[
        Object.keys(s.rewards)[0]
      ];
      expect(ep.turns.map((x) => x.reward)).toEqual(ep.episode.rewards); // per-turn rewards logged
      expect(s.reward).toBeCloseTo(ep.episode.return, 10);
    }
  }
  const after = await weights(t);
  if (moves) expect(after.some((w, i) => w !== before[i])).toBe(true); // the adapter changed
  return out;
}

describe('training on environments', { timeout: 300_000 }, () => {
  it('GRPO: returns as rewards, env metrics, finite loss, the adapter moves', async () => {
    const t = Trainer.create(envConfig({ run: { max_steps: 1 } }), deps());
    const steps = await trainsAndMoves(t);
    for (const v of steps) {
      for (const k of ['env/turns_mean', 'env/return_mean', 'env/success_rate', 'env/reward_per_turn', 'loss'])
        expect(Number.isFinite(v[k]), k).toBe(true);
      expect(v.reward).toBeCloseTo(v['env/return_mean'], 10);
      expect(v['rewards/digits/mean']).toBeCloseTo(v.reward, 10);
      expect(v['env/turns_mean']).toBeGreaterThanOrEqual(1);
    }
    expect(steps.some((v) => v.frac_reward_zero_std < 1)).toBe(true); // returns differ within some group
    t.dispose();
  });

  it('PPO: per-turn rewards through GAE on the value head; value loss and the policy update finite', async () => {
    const t = Trainer.create(
      envConfig({
        grpo: { advantage_estimator: 'ppo', loss_type: 'grpo' },
        sampling: { num_generations: 2 },
        run: { max_steps: 1 },
      }),
      deps(),
    );
    const steps = await trainsAndMoves(t);
    for (const v of steps) {
      expect(Number.isFinite(v.value_loss)).toBe(true);
      expect(Number.isFinite(v.loss)).toBe(true);
      expect(Number.isFinite(v['returns/mean'])).toBe(true);
    }
    t.dispose();
  });

  it('sft_then_grpo: SFT steps on the dataset, then PPO on the environments (the recipe of the agent preset)', async () => {
    const config = envConfig({
      grpo: { advantage_estimator: 'ppo', loss_type: 'grpo' },
      sampling: { num_generations: 2 },
      run: { mode: 'sft_then_grpo', sft_steps: 1, max_steps: 1 },
    });
    const t = Trainer.create(config, { ...deps(), train: toyStream(1, true) });
    const phases: string[] = [];
    while (!t.done) {
      const r = await t.trainStep();
      phases.push(r.metrics.phase);
      const v = r.metrics.values;
      if (r.metrics.phase === 'sft')
        expect(v['env/turns_mean']).toBeUndefined(); // SFT plays no episode
      else {
        expect(Number.isFinite(v.value_loss) && Number.isFinite(v['env/return_mean'])).toBe(true);
        expect(r.samples.length).toBe(2 * config.run.prompts_per_step);
      }
      expect(Number.isFinite(v.loss)).toBe(true);
    }
    expect(phases).toEqual(['sft', 'grpo']);
    t.dispose();
  });

  it('evaluates on held-out seeds per environment, at the start and the end of the run', async () => {
    const t = Trainer.create(
      envConfig({ run: { max_steps: 1 }, environment: { eval_episodes: 3 }, sampling: { num_generations: 2 } }),
      deps(),
    );
    await runTraining(t, { shouldContinue: () => true });
    expect(t.evals.map((e) => e.step)).toEqual([0, 1]);
    const e = t.evals[1];
    expect(e.episodes).toHaveLength(3);
    expect(e.episodes!.map((r) => r.seed)).toEqual([0, 1, 2].map((i) => EVAL_SEED_BASE + i));
    expect(e.accuracy).toBe(e.episodes!.filter((r) => r.success).length / 3);
    expect(e.metrics['eval_env/digits/success_rate']).toBe(e.accuracy);
    expect(t.history.at(-1)!.values.eval_accuracy).toBe(e.accuracy);
    t.dispose();
  });

  it('grid_world: a GRPO step on the built-in environment records its per-turn rewards', async () => {
    const grid = envDef('grid_world');
    const config = envConfig({
      sampling: { num_generations: 2, max_prompt_length: 512, max_completion_length: 64 },
      run: { max_steps: 1, prompts_per_step: 1 },
      environment: { envs: [{ name: 'grid_world', options: { rooms: 1, size: 4, objects: 2 } }], max_turns: 2 },
    });
    // the toy template leaves the (long) instructions out and keeps the first observation's first line:
    // at one character per token the sequences would be long for the CPU backend; the mechanism is the same
    const chat = { ...toyChat, start: (_: string, user: string) => toyChat.start('', user.split('\n')[0]) };
    const t = Trainer.create(config, deps({ defs: { grid_world: grid }, chat }));
    // a random tiny model says little the world understands, so both episodes may earn the same penalty
    // (advantages 0, the adapter need not move); the rewards recorded are still the environment's
    const [v] = await trainsAndMoves(t, false);
    expect(v['env/errors']).toBe(0);
    expect(v['env/turns_mean']).toBeGreaterThanOrEqual(1);
    expect(Number.isFinite(v['env/grid_world/return_mean'])).toBe(true);
    expect(Number.isFinite(v.loss)).toBe(true);
    t.dispose();
  });
});
