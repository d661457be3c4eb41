// Which config fields the trainer reads for a given setup, as one table: a field listed here is shown in
// the Config tab only while its rule holds (the PPO value head's fields only with advantage_estimator
// ppo, the SAPO temperatures only with loss_type sapo...); a field not listed always applies. The rules
// follow what the engine reads (estimators/index.ts, grpo.ts, rollout.ts, optim.ts, trainer.ts), and a
// field that does not apply but has a problem is still shown, so the problem can be fixed.
//
//   applies('grpo.vf_coef', config)                    // true only for advantage_estimator ppo
//   applies('rewards.0.phase_start', config)           // true once that reward has a weight_end
//   optionApplies('format', 'pattern', { style: 'regex' })  // a reward's option, by the reward's own options
import type { RunConfig } from '../../engine/config.ts';

type Grpo = RunConfig['grpo'];
type Rule = (c: RunConfig, reward?: RunConfig['rewards'][number]) => boolean;

const estimator =
  (...e: Grpo['advantage_estimator'][]): Rule =>
  (c) =>
    e.includes(c.grpo.advantage_estimator);
const loss =
  (...l: Grpo['loss_type'][]): Rule =>
  (c) =>
    l.includes(c.grpo.loss_type);
const notLoss =
  (...l: Grpo['loss_type'][]): Rule =>
  (c) =>
    !l.includes(c.grpo.loss_type);

/** Every GRPO-phase field is read only when the run has a GRPO phase (mode sft trains on answers alone). */
const rl: Rule = (c) => c.run.mode !== 'sft';

/** The environment section's settings are read only when the run plays environments. */
const envs: Rule = (c) => c.environment.envs.length > 0;

export const APPLIES: Record<string, Rule> = {
  'environment.max_turns': envs,
  'environment.max_turn_tokens': envs,
  'environment.eval_episodes': envs,
  'environment.step_timeout_ms': envs,
  'environment.max_observation_chars': envs,
  'sampling.num_generations': rl,
  // group estimators normalise within the group; VinePPO and PPO have baselines of their own
  'grpo.scale_rewards': estimator('grpo', 'rloo'),
  'grpo.vineppo_k': estimator('vineppo'),
  'grpo.vineppo_max_steps': estimator('vineppo'),
  'grpo.step_delimiter': estimator('vineppo'),
  'grpo.vf_coef': estimator('ppo'),
  'grpo.cliprange_value': estimator('ppo'),
  'grpo.gamma': estimator('ppo'),
  'grpo.lam': estimator('ppo'),
  'grpo.max_generation_rounds': (c) => c.grpo.dynamic_sampling,
  // cispo clips the importance weight at epsilon_high alone; sapo gates and vespo weights instead of clipping
  'grpo.epsilon': notLoss('cispo', 'sapo', 'vespo'),
  'grpo.epsilon_high': notLoss('sapo', 'vespo'),
  'grpo.delta': notLoss('cispo', 'sapo', 'vespo'),
  'grpo.sapo_temperature_pos': loss('sapo'),
  'grpo.sapo_temperature_neg': loss('sapo'),
  'grpo.vespo_k_pos': loss('vespo'),
  'grpo.vespo_lambda_pos': loss('vespo'),
  'grpo.vespo_k_neg': loss('vespo'),
  'grpo.vespo_lambda_neg': loss('vespo'),
  'optim.warmup_ratio': (c) => c.optim.lr_scheduler_type !== 'constant',
  'optim.lr_scheduler_kwargs.min_lr_rate': (c) => c.optim.lr_scheduler_type === 'cosine_with_min_lr',
  'run.sft_steps': (c) => c.run.mode === 'sft_then_grpo',
  'run.save_total_limit': (c) => c.run.save_steps > 0,
  'rewards.phase_start': (_, r) => r?.weight_end !== undefined,
  'rewards.phase_end': (_, r) => r?.weight_end !== undefined,
  // a reward's options, as rewards.options.<reward>.<option>: the format reward's regex only for style regex
  'rewards.options.format.pattern': (_, r) => r?.options.style === 'regex',
  'rewards.options.format.flags': (_, r) => r?.options.style === 'regex',
};

/** Rules that hold for a whole section of the schema, before the field's own. */
const GROUP_RULES: Record<string, Rule> = { grpo: rl };

/** Whether the trainer reads the field at `path` ("grpo.vf_coef", "rewards.1.phase_end") for config `c`. */
export function applies(path: string, c: RunConfig): boolean {
  const m = /^rewards\.(\d+)\.(.+)$/.exec(path);
  const key = m ? `rewards.${m[2]}` : path;
  const reward = m ? c.rewards[Number(m[1])] : undefined;
  const group = GROUP_RULES[key.split('.')[0]];
  return (group?.(c, reward) ?? true) && (APPLIES[key]?.(c, reward) ?? true);
}

/** Whether reward `name` reads its option `key`, given its options (the rules above need no run config). */
export function optionApplies(name: string, key: string, options: Record<string, unknown>): boolean {
  const rule = APPLIES[`rewards.options.${name}.${key}`];
  return rule ? rule(undefined as unknown as RunConfig, { name, options } as RunConfig['rewards'][number]) : true;
}
