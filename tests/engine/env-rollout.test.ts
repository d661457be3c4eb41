// Multi-turn episodes on the tiny model: the training sequence is the conversation the model saw, the loss
// mask is 1 exactly on the model's own tokens, per-turn rewards are recorded, environment errors end the
// episode (not the run), and PPO's per-token rewards sit on each turn's last model token.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { initBackend } from '../../src/engine/backend.ts';
import type { CausalLM } from '../../src/engine/model/model.ts';
import { LoraAdapter } from '../../src/engine/lora.ts';
import { Rng } from '../../src/engine/rng.ts';
import { runCompute } from '../../src/engine/ops/index.ts';
import { playEpisodes, type Episode, type EpisodeContext } from '../../src/engine/env-rollout.ts';
import { drawStarts, turnRewards } from '../../src/engine/env-step.ts';
import { maskedGae } from '../../src/engine/estimators/gae.ts';
import type { EnvDef } from '../../src/env/types.ts';
import { codec, loadTiny } from './trainer-helpers.ts';
import { digitsDef, envConfig, EOS, toyChat, toyEnvs } from './env-helpers.ts';

let model: CausalLM;
beforeAll(async () => {
  await initBackend('cpu');
  model = await loadTiny('qwen2');
});
afterAll(() => model.dispose());

function context(config = envConfig(), envs = toyEnvs()): EpisodeContext & { dispose(): void } {
  const lora = LoraAdapter.create(
    model.spec,
    { r: 4, alpha: 8, dropout: 0, targetModules: ['q_proj', 'v_proj'], useRslora: false },
    1,
  );
  return {
    model,
    lora,
    compute: runCompute(config.run),
    codec,
    rng: new Rng(5),
    config,
    envs,
    dispose: () => lora.dispose(),
  };
}

/** The model's turns as the runs of mask-1 ids. */
function modelRuns(e: Episode): number[][] {
  const runs: number[][] = [];
  e.completionIds.forEach((id, t) => {
    if (!e.lossMask[t]) return;
    if (t > 0 && e.lossMask[t - 1]) runs[runs.length - 1].push(id);
    else runs.push([id]);
  });
  return runs;
}

describe('playEpisodes', () => {
  it('masks in exactly the model turns of the rendered conversation, and records per-turn rewards', async () => {
    const ctx = context();
    const starts = [7, 7, 8, 8].map((seed) => ({ env: 'digits', seed }));
    const eps = await playEpisodes(ctx, starts, 1);
    ctx.dispose();
    expect(eps).toHaveLength(4);
    for (const e of eps) {
      expect(e.lossMask).toHaveLength(e.completionIds.length);
      expect(e.promptIds).toEqual(toyChat.start(digitsDef.instructions, e.observations[0]));
      const runs = modelRuns(e);
      expect(runs).toHaveLength(e.record.turns);
      // the masked-in tokens, decoded, are the assistant messages, in order
      const said = runs.map((r) => codec.decode(r.filter((id) => id !== EOS)));
      expect(said).toEqual(e.actions);
      expect(codec.decode(e.completionIds.filter((_, t) => e.lossMask[t]).filter((id) => id !== EOS))).toBe(
        e.actions.join(''),
      );
      // and the masked-out tokens are exactly the template and the environment's observations between turns
      const rebuilt = runs.flatMap((r, k) =>
        k + 1 < e.observations.length
          ? [...r, ...toyChat.next(e.observations[k + 1], r.at(-1) === EOS ? EOS : null)]
          : r,
      );
      expect(rebuilt).toEqual(e.completionIds);
      runs.forEach((r, k) => expect(e.completionIds[e.turnEnds[k]]).toBe(r.at(-1)));
      // per-turn rewards: one per turn, the return their sum, each the fraction of digits said
      expect(e.record.rewards).toHaveLength(e.record.turns);
      expect(e.record.return).toBeCloseTo(
        e.record.rewards.reduce((a, b) => a + b, 0),
        10,
      );
      e.actions.forEach((a, k) => {
        const d = [...a].filter((c) => c >= '0' && c <= '9').length;
        expect(e.record.rewards[k]).toBeCloseTo(a.length ? d / a.length : 0, 10);
      });
      expect(e.record.turns).toBeLessThanOrEqual(3); // environment.max_turns
      expect(e.completionIds.length).toBeLessThanOrEqual(96); // sampling.max_completion_length
    }
    expect(eps.some((e) => e.record.turns >= 2 && e.observations.length >= 2)).toBe(true); // environment turns were masked out
    // episodes of one group start from the same seed, hence the same prompt
    expect(eps[0].promptIds).toEqual(eps[1].promptIds);
    expect(eps[0].promptIds).not.toEqual(eps[2].promptIds);
  });

  it('ends an episode whose environment throws as a failure, and plays the others on', async () => {
    const broken: EnvDef = {
      ...digitsDef,
      name: 'broken',
      create: () => ({
        reset: () => 'hello',
        step: () => {
          throw new RangeError('no such move');
        },
      }),
    };
    const unborn: EnvDef = {
      ...digitsDef,
      name: 'unborn',
      create: () => ({
        reset: () => {
          throw new Error('cannot start');
        },
        step: () => ({ observation: '', reward: 1, done: true, success: true }),
      }),
    };
    const ctx = context(envConfig(), toyEnvs([digitsDef, broken, unborn]));
    const eps = await playEpisodes(
      ctx,
      [
        { env: 'broken', seed: 1 },
        { env: 'unborn', seed: 2 },
        { env: 'digits', seed: 3 },
      ],
      1,
    );
    ctx.dispose();
    expect(eps[0].record).toMatchObject({ end: 'error', success: false, turns: 1, rewards: [0], return: 0 });
    expect(eps[0].error).toMatch(/RangeError: no such move/);
    expect(eps[1].record).toMatchObject({ end: 'error', success: false, turns: 0 });
    expect(eps[1].completionIds).toEqual([]);
    expect(eps[2].record.end).not.toBe('error');
    expect(eps[2].record.turns).toBeGreaterThan(0);
  });

  it('ends an episode whose step overstays step_timeout_ms as a failure with the reason, and cuts long answers', async () => {
    const stuck: EnvDef = {
      ...digitsDef,
      name: 'stuck',
      create: () => ({ reset: () => 'hello', step: () => new Promise(() => undefined) }),
    };
    const chatty: EnvDef = {
      ...digitsDef,
      name: 'chatty',
      create: () => ({
        reset: () => 'y'.repeat(10),
        step: () => ({ observation: 'z'.repeat(100_000), reward: 0.5, done: false, success: false }),
      }),
    };
    const config = envConfig({
      environment: {
        envs: [{ name: 'digits' }],
        max_turns: 2,
        max_turn_tokens: 4,
        step_timeout_ms: 300,
        max_observation_chars: 150,
      },
      sampling: { num_generations: 4, max_completion_length: 400, max_prompt_length: 64 },
    });
    const ctx = context(config, toyEnvs([digitsDef, stuck, chatty]));
    const t0 = Date.now();
    const eps = await playEpisodes(
      ctx,
      [
        { env: 'stuck', seed: 1 },
        { env: 'chatty', seed: 2 },
      ],
      1,
    );
    ctx.dispose();
    expect(Date.now() - t0).toBeLessThan(20_000);
    expect(eps[0].record).toMatchObject({ end: 'error', success: false, turns: 1, rewards: [0], return: 0 });
    expect(eps[0].error).toMatch(/EnvTimeoutError: environment stuck: step did not answer within 300 ms/);
    expect(eps[1].record).toMatchObject({ end: 'max_turns', turns: 2, rewards: [0.5, 0.5] });
    expect(eps[1].observations[1]).toHaveLength(150);
    expect(eps[1].observations[1]).toMatch(/cut: the environment answered 100000 characters/);
  });

  it('stops at the token budget: no turn starts that could overrun max_completion_length', async () => {
    const ctx = context(envConfig({ sampling: { max_completion_length: 10 }, environment: { max_turns: 10 } }));
    const eps = await playEpisodes(ctx, [{ env: 'digits', seed: 4 }], 1);
    ctx.dispose();
    expect(eps[0].completionIds.length).toBeLessThanOrEqual(10);
    expect(['length', 'done']).toContain(eps[0].record.end); // the second turn cannot fit in 10 tokens
  });
});

describe('per-turn rewards for PPO', () => {
  it("puts each turn's reward on its last model token, and GAE runs over the model's tokens only", () => {
    const e = {
      completionIds: [5, 6, 2, 251, 120, 252, 7, 8],
      lossMask: [1, 1, 1, 0, 0, 0, 1, 1],
      turnEnds: [2, 7],
      record: { rewards: [0.25, 1] },
    } as unknown as Episode;
    expect(turnRewards(e)).toEqual([0, 0, 0.25, 0, 0, 0, 0, 1]);
    const values = [0.1, 0.2, 0.3, 9, 9, 9, 0.4, 0.5];
    const g = maskedGae(turnRewards(e), values, e.lossMask, 1, 1);
    // with gamma = lam = 1 the advantage is the return to go minus the value, skipping environment tokens
    expect(g.advantages.map((a) => +a.toFixed(6))).toEqual([1.15, 1.05, 0.95, 0, 0, 0, 0.6, 0.5]);
    expect(g.returns.slice(3, 6)).toEqual([9, 9, 9]); // out of the value loss (mask 0)
  });

  it('draws environments by weight and seeds below the evaluation range', () => {
    const starts = drawStarts(
      new Rng(1),
      [
        { name: 'a', weight: 3, options: {} },
        { name: 'b', weight: 1, options: {} },
      ],
      400,
    );
    const a = starts.filter((s) => s.env === 'a').length;
    expect(a).toBeGreaterThan(250);
    expect(a).toBeLessThan(350);
    expect(starts.every((s) => s.seed >= 0 && s.seed < 2 ** 30)).toBe(true);
  });
});
