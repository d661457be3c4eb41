// The session with the real data and reward layers (demo-arithmetic, the math reward, in-thread reward
// runner) on a tiny model with a character tokenizer: the pieces the app's worker wires together.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import { initBackend } from '../../src/engine/backend.ts';
import { CausalLM } from '../../src/engine/model/model.ts';
import { dirSource } from '../../src/engine/model/node-source.ts';
import { memoryStore } from '../../src/engine/checkpoint.ts';
import { loadTokenizer } from '../../src/hub/tokenizer.ts';
import { prepareRunInputs } from '../../src/data/prepare.ts';
import { codecFromTokenizer, type LoadedWithTokenizer } from '../../src/worker/env.ts';
import { TrainingSession, modelInfo, type SessionEnv } from '../../src/worker/session.ts';
import type { TrainerEvent } from '../../src/worker/protocol.ts';
import { makeRepo } from '../hub/hub-fixture.ts';
import { registerEnv } from '../../src/env/registry.ts';
import { digitsDef } from '../engine/env-helpers.ts';

let dir: string;
beforeAll(async () => {
  await initBackend('cpu');
  dir = makeRepo();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function nodeEnv(): SessionEnv {
  return {
    initBackend: () => initBackend('cpu'),
    async loadModel(m) {
      const src = dirSource(dir),
        model = await CausalLM.load(src),
        tokenizer = await loadTokenizer(src, model.spec);
      const loaded: LoadedWithTokenizer = {
        model,
        tokenizer,
        codec: codecFromTokenizer(tokenizer),
        info: modelInfo(m.id, model),
      };
      return loaded;
    },
    async prepareRun(config, m) {
      const inputs = await prepareRunInputs(config, (m as LoadedWithTokenizer).tokenizer);
      return { ...inputs, counters: () => inputs.scorer.counters() };
    },
    store: memoryStore(),
  };
}

describe('worker environment', () => {
  it('runs GRPO on demo-arithmetic with the math reward, evaluates and logs completions', async () => {
    const session = new TrainingSession(nodeEnv());
    const events: TrainerEvent[] = [];
    session.on((e) => events.push(e));
    const done = new Promise<void>((resolve) =>
      session.on((e) => {
        if (e.kind === 'state' && ['done', 'error'].includes(e.status.state)) resolve();
      }),
    );
    await session.start({
      model: { id: './tiny' },
      data: { dataset: 'demo-arithmetic' },
      rewards: [{ name: 'math' }, { name: 'format', weight: 0.1 }],
      sampling: { num_generations: 2, max_completion_length: 4 },
      lora: { r: 2 },
      run: { max_steps: 2, prompts_per_step: 2, eval_examples: 3, save_steps: 0 },
    });
    await done;
    const err = events.find((e) => e.kind === 'error');
    expect(err && JSON.stringify(err)).toBeUndefined();
    const metrics = events
      .filter((e) => e.kind === 'metrics')
      .map((e) => (e as Extract<TrainerEvent, { kind: 'metrics' }>).metrics.values);
    expect(metrics).toHaveLength(2);
    expect(metrics[1]['rewards/math/mean']).toBeGreaterThanOrEqual(0);
    expect(metrics[1]['rewards/math/failures']).toBe(0);
    const evals = events.filter((e) => e.kind === 'eval');
    expect(evals).toHaveLength(2); // baseline and end
    const log = (await session.exportCompletions())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(log[0].prompt).toMatch(/^What is \d+ [+-] \d+\?/);
    expect(Object.keys(log[0].rewards)).toEqual(['math', 'format']);
  });

  it('runs on an environment: the session plays episodes through the chat turns and evaluates per environment', async () => {
    registerEnv({ ...digitsDef, name: 'say_digits' });
    expect((await new TrainingSession(nodeEnv()).environments()).map((e) => e.name)).toContain('say_digits');
    const session = new TrainingSession(nodeEnv());
    const events: TrainerEvent[] = [];
    session.on((e) => events.push(e));
    const done = new Promise<void>((resolve) =>
      session.on((e) => {
        if (e.kind === 'state' && ['done', 'error'].includes(e.status.state)) resolve();
      }),
    );
    await session.start({
      model: { id: './tiny' },
      environment: { envs: [{ name: 'say_digits' }], max_turns: 2, max_turn_tokens: 3, eval_episodes: 2 },
      sampling: { num_generations: 2, max_completion_length: 48 },
      lora: { r: 2 },
      run: { max_steps: 1, prompts_per_step: 1, save_steps: 0 },
    });
    await done;
    const err = events.find((e) => e.kind === 'error');
    expect(err && JSON.stringify(err)).toBeUndefined();
    const m = events.find((e) => e.kind === 'metrics') as Extract<TrainerEvent, { kind: 'metrics' }>;
    expect(m.metrics.values['env/turns_mean']).toBeGreaterThanOrEqual(1);
    expect(Number.isFinite(m.metrics.values['rewards/say_digits/mean'])).toBe(true);
    const evals = events.filter((e) => e.kind === 'eval') as Extract<TrainerEvent, { kind: 'eval' }>[];
    expect(evals).toHaveLength(2); // baseline and end
    expect(evals[1].result.environments?.per_env.map((r) => r.env)).toEqual(['say_digits']);
    expect(evals[1].result.episodes).toHaveLength(2);
  });
});
