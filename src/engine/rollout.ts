// The generation half of a GRPO step: G completions for each prompt, decoded and scored by the reward
// functions, weighted by the (curriculum) weights; with DAPO's dynamic sampling, groups whose rewards are
// all equal are dropped and more prompts are sampled until the batch is full or the round cap is hit.
//
// Departure from DAPO: generation rounds are capped (`max_generation_rounds`) so a step always ends; when
// the cap is hit the step trains on the mixed groups it has (possibly fewer than prompts_per_step).
import type { CausalLM } from './model/model.ts';
import type { LoraAdapter } from './lora.ts';
import type { Compute } from './ops/ops.ts';
import type { Rng } from './rng.ts';
import type { RunConfig } from './config.ts';
import { sampleBatch, type FinishReason } from './sampler.ts';
import { curriculumWeight, mixedGroups, totalRewards } from './advantages.ts';
import type { RewardSample, Scorer } from './scoring.ts';

export type { ScoreTable, Scorer } from './scoring.ts';

/** One dataset example, already templated and tokenized by the data layer. */
export interface Example {
  prompt: string;
  promptIds: number[];
  row: Record<string, unknown>;
  /** SFT target: the reference answer's ids (EOS included when the answer should end there). */
  targetIds?: number[];
}

/** The training split as an endless, seeded stream whose position can be saved and restored exactly. */
export interface ExampleStream {
  next(): Example;
  state(): unknown;
  restore(state: unknown): void;
}

export class ScorerError extends Error {
  readonly name = 'ScorerError';
}

/** The little of a tokenizer the trainer needs: rewards read text. */
export interface Codec {
  decode(ids: number[]): string;
  eosIds: number[];
  padId: number;
}

/** Completions of whole groups: rows are prompt-major, G per example. */
export interface Generation {
  examples: Example[]; // [P]
  completions: number[][]; // [P*G][<= max_completion_length]
  finish: FinishReason[]; // [P*G]
  texts: string[]; // [P*G]
  scores: (number | null)[][]; // [P*G][R]
  details: (Record<string, unknown> | undefined)[][];
  rewards: (number | null)[]; // [P*G] weighted totals
  sampleMs: number; // time in the sampler (scoring excluded)
}

export interface Rollout {
  kept: Generation; // what the step trains on
  all: Generation; // everything generated this step (for reward metrics)
  keptGroups: number[]; // which groups of `all` are in `kept`, in order
  rounds: number;
  sampleMs: number; // sampler time of all rounds
  rolloutMs: number; // sampling and scoring
  sampledTokens: number;
}

export interface RolloutContext {
  model: CausalLM;
  lora: LoraAdapter;
  /** The run's Ops (the sampler's decode step) and gradient checkpointing (the estimators' passes). */
  compute: Compute;
  codec: Codec;
  score: Scorer;
  rng: Rng;
  config: RunConfig;
  progress: number; // fraction of the run done, for curriculum weights
  onProgress?: (stage: 'sample' | 'score', done: number, total: number) => void;
}

export function rewardWeights(config: RunConfig, progress: number): number[] {
  return config.rewards.map((r) => curriculumWeight(r, progress));
}

/** Samples, decodes and scores G completions for each example. */
export async function generate(
  ctx: RolloutContext,
  examples: Example[],
  G: number,
  temperature: number,
): Promise<Generation> {
  const s = ctx.config.sampling,
    stops = s.stop;
  const prompts = examples.map((e) => e.promptIds.slice(-s.max_prompt_length));
  const t0 = performance.now();
  ctx.onProgress?.('sample', 0, s.max_completion_length);
  const out = await sampleBatch(ctx.model, ctx.lora, prompts, {
    ops: ctx.compute.ops,
    numGenerations: G,
    maxNewTokens: s.max_completion_length,
    temperature,
    topP: s.top_p,
    topK: s.top_k,
    minP: s.min_p,
    repetitionPenalty: s.repetition_penalty,
    eosIds: ctx.codec.eosIds,
    padId: ctx.codec.padId,
    rng: ctx.rng,
    isStopped: stops.length
      ? (ids) => {
          const t = ctx.codec.decode(ids);
          return stops.some((x) => t.includes(x));
        }
      : undefined,
    onStep: (d, t) => ctx.onProgress?.('sample', d, t),
  });
  const sampleMs = performance.now() - t0;
  const texts = out.completions.map((c) => ctx.codec.decode(c.filter((id) => !ctx.codec.eosIds.includes(id))));
  const samples: RewardSample[] = out.completions.map((ids, r) => {
    const ex = examples[out.promptIndex[r]];
    return {
      prompt: ex.prompt,
      completion: texts[r],
      completionIds: ids,
      row: ex.row,
      finishReason: out.finish[r],
      progress: ctx.progress,
    };
  });
  ctx.onProgress?.('score', 0, samples.length);
  const table = await ctx.score(samples);
  if (table.scores.length !== samples.length)
    throw new ScorerError(
      `the scorer returned ${table.scores.length} rows for ${samples.length} completions; a reward runner must answer every sample`,
    );
  ctx.onProgress?.('score', samples.length, samples.length);
  return {
    examples,
    completions: out.completions,
    finish: out.finish,
    texts,
    scores: table.scores,
    details: table.details ?? table.scores.map(() => []),
    rewards: totalRewards(table.scores, rewardWeights(ctx.config, ctx.progress)),
    sampleMs,
  };
}

/** The groups `idx` of a generation, in that order. */
export function selectGroups(g: Generation, idx: number[], G: number): Generation {
  const rows = idx.flatMap((i) => Array.from({ length: G }, (_, j) => i * G + j));
  const pick = <T>(xs: T[]) => rows.map((r) => xs[r]);
  return {
    examples: idx.map((i) => g.examples[i]),
    completions: pick(g.completions),
    finish: pick(g.finish),
    texts: pick(g.texts),
    scores: pick(g.scores),
    details: pick(g.details),
    rewards: pick(g.rewards),
    sampleMs: g.sampleMs,
  };
}

export function concatGenerations(a: Generation, b: Generation): Generation {
  return {
    examples: [...a.examples, ...b.examples],
    completions: [...a.completions, ...b.completions],
    finish: [...a.finish, ...b.finish],
    texts: [...a.texts, ...b.texts],
    scores: [...a.scores, ...b.scores],
    details: [...a.details, ...b.details],
    rewards: [...a.rewards, ...b.rewards],
    sampleMs: a.sampleMs + b.sampleMs,
  };
}

/** One step's rollout: prompts from the stream, G completions each, dynamic sampling when enabled. */
export async function rollout(ctx: RolloutContext, stream: ExampleStream): Promise<Rollout> {
  const { run, sampling, grpo } = ctx.config,
    G = sampling.num_generations,
    want = run.prompts_per_step;
  const t0 = performance.now();
  let all: Generation | null = null,
    kept: Generation | null = null,
    rounds = 0;
  const keptGroups: number[] = [];
  do {
    rounds += 1;
    const examples = Array.from({ length: want }, () => stream.next());
    const gen = await generate(ctx, examples, G, sampling.temperature);
    const offset = all?.examples.length ?? 0;
    all = all ? concatGenerations(all, gen) : gen;
    // without dynamic sampling every group is kept, whatever its rewards
    const pick = grpo.dynamic_sampling
      ? mixedGroups(gen.rewards, G).slice(0, want - keptGroups.length)
      : gen.examples.map((_, i) => i);
    const mixed = selectGroups(gen, pick, G);
    keptGroups.push(...pick.map((g) => g + offset));
    kept = kept ? concatGenerations(kept, mixed) : mixed;
  } while (grpo.dynamic_sampling && kept.examples.length < want && rounds < grpo.max_generation_rounds);
  const sampledTokens = all.completions.reduce((a, c) => a + c.length, 0);
  return { kept, all, keptGroups, rounds, sampleMs: all.sampleMs, rolloutMs: performance.now() - t0, sampledTokens };
}
