// The RL step on environments (environment.envs set), in place of rl-step.ts's rollout of a dataset:
//   1. prompts_per_step groups, each one environment (drawn by weight) and one seed; G episodes per group
//   2. play them (env-rollout.ts): each episode's return is its reward, its per-turn rewards are recorded
//   3. advantages: grpo/rloo normalise the returns within each group, as completions' rewards; ppo puts
//      each turn's reward on that turn's last model token and runs GAE over the model's tokens
//   4. the usual mu policy updates, on the whole conversation with environment tokens masked out
//   5. metrics: TRL's reward names over returns, and env/* (turns, return, success, reward per turn)
//
// Seeds: training draws episode seeds in [0, 2^30) from the run's generator (so resume is exact);
// evaluation plays seeds from 2^30 up, which training never draws: held-out episodes.
import { learningRateAt } from './optim.ts';
import type { Rng } from './rng.ts';
import type { RunConfig } from './config.ts';
import type { Generation } from './rollout.ts';
import type { TrainRow } from './update.ts';
import { computeAdvantages } from './advantages.ts';
import { updateValues } from './step-metrics.ts';
import type { CompletionLogEntry } from './metrics.ts';
import { mean, sampleStd } from './stats.ts';
import { playEpisodes, type Episode, type EpisodeStart, type EnvRunDeps } from './env-rollout.ts';
import type { PhaseResult, StepContext } from './step-context.ts';
import { policyUpdates } from './policy-update.ts';

export const EVAL_SEED_BASE = 2 ** 30;

export class EnvSetupError extends Error {
  readonly name = 'EnvSetupError';
}

/** The environments of the run, or a typed error that says what is missing. */
export function envDeps(t: Pick<StepContext, 'config' | 'deps'>): EnvRunDeps {
  const e = t.deps.envs;
  if (!e)
    throw new EnvSetupError(
      'the config names environments but the run was started without them; start it from the app, the CLI or a session that registers environments',
    );
  return e;
}

/** One start per group: an environment drawn by weight, and a seed. */
export function drawStarts(rng: Rng, envs: RunConfig['environment']['envs'], groups: number): EpisodeStart[] {
  const total = envs.reduce((a, s) => a + s.weight, 0);
  return Array.from({ length: groups }, () => {
    let u = rng.next() * total,
      pick = envs[envs.length - 1].name;
    for (const s of envs) {
      if (u < s.weight) {
        pick = s.name;
        break;
      }
      u -= s.weight;
    }
    return { env: pick, seed: rng.int(EVAL_SEED_BASE) };
  });
}

export async function envStep(t: StepContext): Promise<PhaseResult> {
  const c = t.config,
    G = c.sampling.num_generations;
  const ctx = { ...t.deps, lora: t.lora, compute: t.compute, rng: t.rng, config: c, progress: t.progress };
  const envs = envDeps(t);
  const t0 = performance.now();
  // 1-2. groups of G episodes from one seed each
  const starts = drawStarts(t.rng, c.environment.envs, c.run.prompts_per_step).flatMap((s) => Array(G).fill(s));
  const eps = await playEpisodes({ ...ctx, envs }, starts, c.sampling.temperature);
  const rolloutMs = performance.now() - t0;
  // 3. advantages (the estimator reads the returns as the completions' rewards)
  const gen = asGeneration(eps, G, t.deps.codec.decode);
  const base: TrainRow[] = eps.map((e) => ({
    promptIds: e.promptIds,
    completionIds: e.completionIds,
    counts: e.completionIds.length > 0 && !(c.grpo.mask_truncated_completions && e.record.end === 'length'),
    advantage: 0,
    lossMask: e.lossMask,
    tokenRewards: turnRewards(e),
  }));
  const lr = learningRateAt(
    (t.step - t.sftSteps) * c.grpo.num_iterations,
    c.run.max_steps * c.grpo.num_iterations,
    c.optim,
  );
  const { rows, perRow, values: estimated, histograms } = await t.estimator.estimate(ctx, gen, base, lr);
  // 4. mu passes of the policy loss over the conversations
  const update = rows.some((r) => r.counts) ? await policyUpdates(t, rows) : null;
  // 5. metrics and the log
  const returns = eps.map((e) => e.record.return);
  const values = {
    ...returnValues(c, eps, G),
    ...episodeValues(c, eps),
    ...updateValues(update, c.grpo),
    ...estimated,
    rollout_time: rolloutMs / 1000,
    num_groups: c.run.prompts_per_step,
  };
  return {
    values,
    samples: eps.map((e, i) => logEntry(e, gen.texts[i], perRow[i] ?? 0, t.step + 1)),
    histograms: { ...histograms, advantages: perRow, rewards: returns },
    tokens: eps.reduce((a, e) => a + e.promptIds.length + e.completionIds.length, 0),
  };
}

/** [C] each turn's reward on that turn's last model token, 0 elsewhere. */
export function turnRewards(e: Episode): number[] {
  const r = e.completionIds.map(() => 0);
  e.turnEnds.forEach((at, k) => {
    r[at] += e.record.rewards[k] ?? 0;
  });
  return r;
}

/** The episodes in the shape the advantage estimators read: one group per start, the return as the reward. */
export function asGeneration(eps: Episode[], G: number, decode: (ids: number[]) => string): Generation {
  const groups = eps.filter((_, i) => i % G === 0);
  return {
    examples: groups.map((e) => ({
      prompt: `${e.record.env} #${e.record.seed}: ${e.observations[0]}`,
      promptIds: e.promptIds,
      row: { env: e.record.env, seed: e.record.seed },
    })),
    completions: eps.map((e) => e.completionIds),
    finish: eps.map((e) => (e.record.end === 'length' ? 'length' : 'stop')),
    texts: eps.map((e) => decode(e.completionIds)),
    scores: eps.map((e) => [e.record.return]),
    details: eps.map(() => []),
    rewards: eps.map((e) => e.record.return),
    sampleMs: 0,
  };
}

/** TRL's reward names, over episode returns (overall and per environment). */
function returnValues(c: RunConfig, eps: Episode[], G: number): Record<string, number> {
  const returns = eps.map((e) => e.record.return);
  const stats = computeAdvantages(returns, G, 'group', 'grpo');
  const v: Record<string, number> = {
    reward: mean(returns),
    reward_std: sampleStd(returns),
    'reward_std/group_mean': mean(stats.groupStd),
    frac_reward_zero_std: stats.zeroStdGroups / Math.max(1, stats.groupStd.length),
  };
  for (const s of c.environment.envs) {
    const mine = eps.filter((e) => e.record.env === s.name).map((e) => e.record.return);
    if (!mine.length) continue;
    v[`rewards/${s.name}/mean`] = mean(mine);
    v[`rewards/${s.name}/std`] = sampleStd(mine);
  }
  return v;
}

/** env/*: turns, returns, success, reward per turn, how episodes ended; model tokens per episode. */
export function episodeValues(c: RunConfig, eps: Episode[]): Record<string, number> {
  const r = eps.map((e) => e.record);
  const frac = (f: (x: (typeof r)[number]) => boolean) => r.filter(f).length / Math.max(1, r.length);
  const own = eps.map((e) => e.lossMask.reduce((a, b) => a + b, 0));
  const v: Record<string, number> = {
    'env/turns_mean': mean(r.map((x) => x.turns)),
    'env/return_mean': mean(r.map((x) => x.return)),
    'env/success_rate': frac((x) => x.success),
    'env/reward_per_turn': mean(r.flatMap((x) => x.rewards)),
    'env/ended_max_turns': frac((x) => x.end === 'max_turns'),
    'env/ended_length': frac((x) => x.end === 'length'),
    'env/errors': r.filter((x) => x.end === 'error').length,
    'completions/mean_length': mean(own),
    'completions/clipped_ratio': frac((x) => x.end === 'length'),
  };
  for (const s of c.environment.envs) {
    const mine = r.filter((x) => x.env === s.name);
    if (!mine.length) continue;
    v[`env/${s.name}/success_rate`] = mine.filter((x) => x.success).length / mine.length;
    v[`env/${s.name}/return_mean`] = mean(mine.map((x) => x.return));
    v[`env/${s.name}/turns_mean`] = mean(mine.map((x) => x.turns));
  }
  return v;
}

function logEntry(e: Episode, text: string, advantage: number, step: number): CompletionLogEntry {
  const turns = e.actions.map((action, k) => ({
    action,
    reward: e.record.rewards[k] ?? 0,
    observation: e.observations[k + 1] ?? '',
  }));
  return {
    step,
    prompt: `${e.record.env} #${e.record.seed}: ${e.observations[0]}`,
    completion: text,
    rewards: { [e.record.env]: e.record.return },
    reward: e.record.return,
    advantage,
    finish: e.record.end === 'length' ? 'length' : 'stop',
    length: e.lossMask.reduce((a, b) => a + b, 0),
    details: { [e.record.env]: { episode: e.record, turns, ...(e.error ? { error: e.error } : {}) } },
  };
}
