// Multi-turn episodes: the model and an environment take turns in the model's chat template until the
// environment says done, the turn limit, or the token budget. The environment's instructions are the system
// prompt and its observations the user messages; each model turn is one sampled assistant message that
// stops at an end-of-turn id or at environment.max_turn_tokens. All active episodes of a batch sample their
// turn together (one sampler call per turn, prompts of different lengths left-padded).
//
//   const eps = await playEpisodes(ctx, [{ env: 'grid_world', seed: 7 }, ...], temperature)
//   eps[0].completionIds  // everything after the first prompt: model turns and environment turns
//   eps[0].lossMask       // [C] 1 exactly on the model's own tokens, 0 on template and environment tokens
//
// The training sequence is the token ids the model actually saw and wrote (never a re-tokenised rendering),
// so the log-probabilities trained on are those of the sampled tokens. Environments are reached through an
// EnvHost (src/env/host.ts): every reset and step has a deadline (environment.step_timeout_ms) and a cap on
// the observation (max_observation_chars). Environment errors (reset or step throwing, a deadline passed, an
// answer of the wrong shape) end that episode with failure and a zero reward for the turn, the reason kept
// in the episode's `error`; they never end the run.
import type { CausalLM } from './model/model.ts';
import type { LoraAdapter } from './lora.ts';
import type { Compute } from './ops/ops.ts';
import type { Rng } from './rng.ts';
import type { RunConfig } from './config.ts';
import type { Codec } from './rollout.ts';
import { sampleBatch } from './sampler.ts';
import type { EnvDef, Environment, EpisodeRecord } from '../env/types.ts';
import { LocalEnvHost, type EnvHost, type EnvLimits } from '../env/host.ts';

/** The chat template as token ids, for turns (the data layer implements it with the model's tokenizer). */
export interface ChatTurns {
  /** The first prompt: system message, first user message, then the assistant header. */
  start(system: string, user: string): number[];
  /**
   * What follows a model turn: the end of that assistant message (skipped when the turn ended on the
   * end-of-turn id `endId`), the next user message, then the assistant header.
   */
  next(user: string, endId: number | null): number[];
}

/** What environment runs need beyond a dataset run: the registered environments and the chat template. */
export interface EnvRunDeps {
  defs: Record<string, EnvDef>;
  chat: ChatTurns;
  /** Where the environments run (the app: their own worker); unset: in this thread, under the same limits. */
  host?: EnvHost;
}

/** The limits of environment calls, from the config. */
export function envLimits(config: RunConfig): EnvLimits {
  const e = config.environment;
  return { stepTimeoutMs: e.step_timeout_ms, maxObservationChars: e.max_observation_chars };
}

export interface EpisodeContext {
  model: CausalLM;
  lora: LoraAdapter;
  compute: Compute;
  codec: Codec;
  rng: Rng;
  config: RunConfig;
  envs: EnvRunDeps;
  onProgress?: (stage: 'sample', done: number, total: number) => void;
}

export class EnvPromptTooLongError extends Error {
  readonly name = 'EnvPromptTooLongError';
}

export interface EpisodeStart {
  env: string;
  seed: number;
}

/** One played episode: its record, its training sequence and what was said. */
export interface Episode {
  record: EpisodeRecord;
  promptIds: number[]; // system + first observation + assistant header
  completionIds: number[]; // [C] the rest of the conversation
  lossMask: number[]; // [C] 1 on model tokens
  turnEnds: number[]; // [turns] index in completionIds of each model turn's last token
  actions: string[]; // [turns] each model turn as text
  observations: string[]; // [turns + 1 at most] the first observation, then the environment's answers
  error?: string; // the environment's error, when one ended the episode
}

interface Live {
  ep: Episode;
  env: Environment | null;
  done: boolean;
}

/** Plays one episode per start, all in lockstep; returns them in the order of `starts`. */
export async function playEpisodes(
  ctx: EpisodeContext,
  starts: EpisodeStart[],
  temperature: number,
): Promise<Episode[]> {
  const e = ctx.config.environment;
  const host = ctx.envs.host ?? new LocalEnvHost(ctx.envs.defs, envLimits(ctx.config));
  const live = await Promise.all(starts.map((s) => openEpisode(ctx, host, s)));
  const limit = (name: string) => e.max_turns || ctx.envs.defs[name].defaultMaxTurns;
  for (let turn = 1; ; turn++) {
    const acting = live.filter((l) => !l.done);
    if (!acting.length) break;
    const turns = await modelTurns(ctx, acting, temperature);
    await Promise.all(acting.map((l, i) => environmentTurn(ctx, l, turns[i], limit(l.ep.record.env))));
    ctx.onProgress?.('sample', turn, Math.max(...live.map((l) => limit(l.ep.record.env))));
  }
  for (const l of live) if (!l.done) finish(l, 'max_turns');
  if (!ctx.envs.host) host.dispose();
  return live.map((l) => l.ep);
}

async function openEpisode(ctx: EpisodeContext, host: EnvHost, s: EpisodeStart): Promise<Live> {
  const def = ctx.envs.defs[s.env];
  const spec = ctx.config.environment.envs.find((x) => x.name === s.env);
  const record: EpisodeRecord = {
    env: s.env,
    seed: s.seed,
    rewards: [],
    return: 0,
    success: false,
    turns: 0,
    end: 'done',
  };
  const ep: Episode = {
    record,
    promptIds: [],
    completionIds: [],
    lossMask: [],
    turnEnds: [],
    actions: [],
    observations: [],
  };
  let env: Environment | null = null,
    first: string;
  try {
    env = host.create(s.env, { ...def.defaults, ...(spec?.options ?? {}) });
    first = await env.reset(s.seed);
  } catch (err) {
    ep.error = errorText(err);
    first = '(the environment failed to start)';
  }
  ep.observations.push(first);
  ep.promptIds = ctx.envs.chat.start(def.instructions, first);
  const max = ctx.config.sampling.max_prompt_length;
  if (ep.promptIds.length > max)
    throw new EnvPromptTooLongError(
      `the first prompt of ${s.env} (instructions and first observation) is ${ep.promptIds.length} tokens, above sampling.max_prompt_length ${max}; raise max_prompt_length`,
    );
  const l: Live = { ep, env, done: false };
  if (ep.error) finish(l, 'error');
  return l;
}

/** One sampled assistant message per acting episode. */
async function modelTurns(
  ctx: EpisodeContext,
  acting: Live[],
  temperature: number,
): Promise<{ ids: number[]; stopped: boolean }[]> {
  const s = ctx.config.sampling;
  const out = await sampleBatch(
    ctx.model,
    ctx.lora,
    acting.map((l) => [...l.ep.promptIds, ...l.ep.completionIds]),
    {
      ops: ctx.compute.ops,
      numGenerations: 1,
      maxNewTokens: ctx.config.environment.max_turn_tokens,
      temperature,
      topP: s.top_p,
      topK: s.top_k,
      minP: s.min_p,
      repetitionPenalty: s.repetition_penalty,
      eosIds: ctx.codec.eosIds,
      padId: ctx.codec.padId,
      rng: ctx.rng,
    },
  );
  return out.completions.map((ids, r) => ({ ids, stopped: out.finish[r] === 'stop' }));
}

/** Appends the model's turn, lets the environment answer, and appends its observation (unless the episode ends). */
async function environmentTurn(
  ctx: EpisodeContext,
  l: Live,
  turn: { ids: number[]; stopped: boolean },
  maxTurns: number,
): Promise<void> {
  const ep = l.ep,
    eos = ctx.codec.eosIds;
  ep.completionIds.push(...turn.ids);
  ep.lossMask.push(...turn.ids.map(() => 1));
  ep.turnEnds.push(ep.completionIds.length - 1);
  const action = ctx.codec.decode(turn.ids.filter((id) => !eos.includes(id)));
  ep.actions.push(action);
  ep.record.turns += 1;
  let result;
  try {
    result = await l.env!.step(action);
  } catch (err) {
    ep.error = errorText(err);
    ep.record.rewards.push(0);
    return finish(l, 'error');
  }
  const reward = Number.isFinite(result.reward) ? result.reward : 0;
  ep.record.rewards.push(reward);
  ep.record.return += reward;
  ep.record.success = result.success;
  if (result.done) return finish(l, 'done');
  if (ep.record.turns >= maxTurns) return finish(l, 'max_turns');
  const last = turn.ids[turn.ids.length - 1];
  const next = ctx.envs.chat.next(result.observation, turn.stopped && eos.includes(last) ? last : null);
  // the next turn must fit whole: the conversation after the first prompt stays within max_completion_length
  const budget = ctx.config.sampling.max_completion_length;
  if (ep.completionIds.length + next.length + ctx.config.environment.max_turn_tokens > budget)
    return finish(l, 'length');
  ep.observations.push(result.observation);
  ep.completionIds.push(...next);
  ep.lossMask.push(...next.map(() => 0));
}

function finish(l: Live, end: EpisodeRecord['end']): void {
  l.done = true;
  try {
    l.env?.close?.();
  } catch {
    // an environment that fails to free itself costs nothing to the episode, which is over
  }
  l.ep.record.end = end;
  if (end === 'error') l.ep.record.success = false;
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
