// A toy task for trainer tests on the tiny fixture models: prompts are seeded random token ids, the
// "text" is one character per id, and the reward is the fraction of completion tokens in a target set,
// which a tiny model can learn within a few dozen steps.
import path from 'node:path';
import { CausalLM } from '../../src/engine/model/model.ts';
import { uploadWeights } from '../../src/engine/model/weights.ts';
import { loadModelFiles } from '../../src/engine/model/loader.ts';
import { dirSource } from '../../src/engine/model/node-source.ts';
import { Rng } from '../../src/engine/rng.ts';
import { parseRunConfig, type RunConfig } from '../../src/engine/config.ts';
import type { Codec, Example, ExampleStream, Scorer, TrainerDeps } from '../../src/engine/trainer.ts';
import { FIXTURE_ROOT } from './fixtures.ts';

/**
 * A fixture model with its (tied) embeddings scaled up: the fixtures' embeddings have std 0.02, so after the
 * final RMSNorm no adapter can move a logit by more than about 1 and nothing is learnable; scaled by 5, the
 * output distribution can sharpen as a real model's does.
 */
export async function loadTiny(arch = 'qwen2', embedScale = 5): Promise<CausalLM> {
  const { spec, tensors } = await loadModelFiles(dirSource(path.join(FIXTURE_ROOT, arch)));
  for (const name of ['model.embed_tokens.weight', 'lm_head.weight']) {
    const t = tensors.get(name);
    if (t) t.data = (t.data as Float32Array).map((x) => x * embedScale);
  }
  return new CausalLM(spec, uploadWeights(spec, tensors));
}

export const codec: Codec = {
  decode: (ids) => ids.map((i) => String.fromCharCode(48 + (i % 64))).join(''),
  eosIds: [2],
  padId: 0,
};

function example(seed: number, i: number, withTarget: boolean): Example {
  const rng = new Rng(seed * 7919 + i);
  const promptIds = Array.from({ length: 3 + rng.int(4) }, () => 3 + rng.int(250));
  const targetIds = withTarget ? [40 + (promptIds[0] % 2), 44, 48, 2] : undefined; // nearly a constant answer: quick to learn
  return { prompt: codec.decode(promptIds), promptIds, row: { index: i }, ...(targetIds ? { targetIds } : {}) };
}

/** An endless seeded stream whose state is the index of the next example. */
export function toyStream(seed = 1, withTarget = false): ExampleStream & { index: number } {
  return {
    index: 0,
    next() {
      return example(seed, this.index++, withTarget);
    },
    state() {
      return { index: this.index };
    },
    restore(s) {
      this.index = (s as { index: number }).index;
    },
  };
}

export const inTarget = (id: number) => id % 4 === 0;

/** Reward "hits": the fraction of completion tokens (EOS excluded) in the target set; null for empty ones. */
export const hitsScorer: Scorer = async (samples) => ({
  scores: samples.map((s) => {
    const ids = s.completionIds.filter((t) => t !== 2);
    return [ids.length ? ids.filter(inTarget).length / ids.length : null];
  }),
});

export function toyConfig(over: Record<string, any> = {}): RunConfig {
  const base = {
    lora: { r: 8, alpha: 16 },
    sampling: { num_generations: 4, max_completion_length: 6, max_prompt_length: 16 },
    grpo: { loss_type: 'dapo' },
    optim: { learning_rate: 0.05, max_grad_norm: 1 },
    rewards: [{ name: 'hits', weight: 1 }],
    run: { max_steps: 4, prompts_per_step: 2, micro_batch_size: 4, eval_examples: 4, save_steps: 0, seed: 3 },
  };
  const merged: Record<string, any> = { ...base };
  for (const [k, v] of Object.entries(over))
    merged[k] = typeof v === 'object' && !Array.isArray(v) ? { ...(base as any)[k], ...v } : v;
  return parseRunConfig(merged);
}

export function toyDeps(
  model: CausalLM,
  o: { seed?: number; withTarget?: boolean; score?: Scorer; evalN?: number } = {},
): TrainerDeps {
  const evalStream = toyStream(1000 + (o.seed ?? 1), o.withTarget);
  return {
    model,
    codec,
    train: toyStream(o.seed ?? 1, o.withTarget),
    score: o.score ?? hitsScorer,
    evalSet: Array.from({ length: o.evalN ?? 0 }, () => evalStream.next()),
  };
}
