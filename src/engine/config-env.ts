// The `environment` section of the run config: multi-turn environments to train on instead of a dataset
// and rewards (env-rollout.ts plays them), and the checks of the combinations they rule out. The names are
// those of the environment registry (src/env/registry.ts); the session refuses an unknown one at run start
// with the registered names, since the schema itself does not import the environments.
import { z } from 'zod';
import type { RunConfig } from './config.ts';
import { ENV_OPTIONS } from '../env/option-schemas.ts';

type Ctx = z.core.$RefinementCtx<RunConfig>;

const int = (d: number, min: number, max: number, desc: string) =>
  z.number().int().min(min).max(max).default(d).describe(desc);

export const EnvSpecSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .describe('Registered environment name (grid_world, crafting, or one registered by a module).'),
  weight: z
    .number()
    .positive()
    .default(1)
    .describe('Share of the episode groups drawn from this environment (weights are normalised over the list).'),
  options: z
    .record(z.string(), z.unknown())
    .default({})
    .describe("Options of this environment (unset ones take the environment's defaults)."),
});

export const EnvironmentSchema = z
  .strictObject({
    envs: z
      .array(EnvSpecSchema)
      .default([])
      .describe(
        'Environments to train on: each step plays prompts_per_step groups of num_generations episodes (one seed per group). Empty: the run trains on the dataset with the rewards.',
      ),
    max_turns: int(0, 0, 1_000, "Turn limit of an episode (0: each environment's own default)."),
    max_turn_tokens: int(
      64,
      1,
      100_000,
      'Tokens the model may write in one turn; a turn stops at the end-of-turn token or here. The whole conversation after the first prompt is capped by sampling.max_completion_length.',
    ),
    step_timeout_ms: int(
      10_000,
      1,
      600_000,
      'Deadline of one environment reset or step; past it the episode ends as a failure (env/errors) and the run goes on. In the app environments run in their own worker, which is replaced when a call overstays.',
    ),
    max_observation_chars: int(
      8_000,
      1,
      1_000_000,
      'Longest environment answer kept; a longer observation is cut to this many characters, with a note saying so.',
    ),
    eval_episodes: int(
      16,
      1,
      100_000,
      'Held-out episodes per environment in each evaluation (seeds never used in training; greedy decoding).',
    ),
  })
  .describe('Environment');

/** An environment run takes its rewards from the environments: `rewards` defaults to none there. */
export function environmentDefaults(input: unknown): unknown {
  if (!input || typeof input !== 'object') return input;
  const env = (input as { environment?: { envs?: unknown } }).environment;
  const withEnvs = Array.isArray(env?.envs) && env.envs.length > 0;
  return withEnvs && !('rewards' in input) ? { ...input, rewards: [] } : input;
}

export function checkEnvironment(c: RunConfig, ctx: Ctx): void {
  const e = c.environment;
  if (!e.envs.length) return;
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (c.rewards.length)
    issue(
      ['rewards'],
      'a run uses either a dataset with rewards or environments, and environments give their own rewards; remove rewards (or set it to []), or empty environment.envs to train on the dataset',
    );
  if (c.run.mode === 'sft')
    issue(
      ['run', 'mode'],
      'mode sft trains on reference answers only and never plays an episode; pick mode grpo or sft_then_grpo (SFT on the dataset, then RL on the environments), or empty environment.envs',
    );
  if (c.grpo.advantage_estimator === 'vineppo')
    issue(
      ['grpo', 'advantage_estimator'],
      'vineppo values prefixes by re-sampling them, which an environment episode cannot replay; pick grpo, rloo or ppo',
    );
  if (c.grpo.dynamic_sampling)
    issue(['grpo', 'dynamic_sampling'], 'dynamic sampling is not available with environments; turn it off');
  if (e.max_turn_tokens > c.sampling.max_completion_length)
    issue(
      ['environment', 'max_turn_tokens'],
      `max_turn_tokens (${e.max_turn_tokens}) is above sampling.max_completion_length (${c.sampling.max_completion_length}), the cap of the whole conversation; lower it or raise max_completion_length`,
    );
  const seen = new Set<string>();
  e.envs.forEach((s, i) => {
    checkEnvOptions(s, ['environment', 'envs', i, 'options'], issue);
    if (seen.has(s.name))
      issue(['environment', 'envs', i, 'name'], `${s.name} is listed twice; give it once, with its weight`);
    seen.add(s.name);
  });
}

/** A built-in environment's options against its schema; one issue per problem, at the option's path. */
function checkEnvOptions(
  s: RunConfig['environment']['envs'][number],
  at: (string | number)[],
  issue: (path: (string | number)[], message: string) => void,
): void {
  const r = ENV_OPTIONS[s.name]?.safeParse(s.options);
  if (!r || r.success) return;
  for (const i of r.error.issues) {
    if (i.code === 'unrecognized_keys')
      for (const k of i.keys) issue([...at, k], `not an option of ${s.name} (see the README's section on it)`);
    else issue([...at, ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))], i.message);
  }
}
