// The run config's cross-field checks: combinations that each field allows alone but that make no sense
// together, and every reward's options against that reward's own schema (src/reward/options.ts). Each
// message says how to fix it; config-errors.ts adds the nearest known name to an unknown option.
import type { z } from 'zod';
import type { RunConfig } from './config.ts';
import { REWARD_OPTIONS } from '../reward/options.ts';
import { unknownOptionMessage } from './config-errors.ts';
import { checkEnvironment } from './config-env.ts';

type Ctx = z.core.$RefinementCtx<RunConfig>;

export function checkRunConfig(c: RunConfig, ctx: Ctx): void {
  const hi = c.grpo.epsilon_high ?? c.grpo.epsilon;
  if (c.grpo.loss_type !== 'cispo' && hi < c.grpo.epsilon)
    ctx.addIssue({
      code: 'custom',
      path: ['grpo', 'epsilon_high'],
      message: `epsilon_high (${hi}) is below epsilon (${c.grpo.epsilon}); clip-higher needs epsilon_high >= epsilon`,
    });
  const groupEstimator = c.grpo.advantage_estimator === 'grpo' || c.grpo.advantage_estimator === 'rloo';
  if (c.sampling.num_generations < 2 && c.run.mode !== 'sft' && groupEstimator)
    ctx.addIssue({
      code: 'custom',
      path: ['sampling', 'num_generations'],
      message: `${c.grpo.advantage_estimator} needs num_generations >= 2 to compare completions of a prompt; set it to 2 or more, or pick advantage_estimator vineppo or ppo, whose baselines need no group`,
    });
  if (c.grpo.dynamic_sampling && c.sampling.num_generations < 2)
    ctx.addIssue({
      code: 'custom',
      path: ['grpo', 'dynamic_sampling'],
      message: 'dynamic sampling needs num_generations >= 2',
    });
  if (c.run.mode === 'sft_then_grpo' && c.run.sft_steps < 1)
    ctx.addIssue({ code: 'custom', path: ['run', 'sft_steps'], message: 'mode sft_then_grpo needs sft_steps >= 1' });
  c.rewards.forEach((r, i) => {
    if (r.phase_end < r.phase_start)
      ctx.addIssue({
        code: 'custom',
        path: ['rewards', i, 'phase_end'],
        message: `phase_end (${r.phase_end}) is before phase_start (${r.phase_start}); the curriculum must end after it starts`,
      });
  });
  if (c.run.eval_reward && !c.rewards.some((r) => r.name === c.run.eval_reward))
    ctx.addIssue({
      code: 'custom',
      path: ['run', 'eval_reward'],
      message: `eval_reward "${c.run.eval_reward}" is not one of the rewards (${c.rewards.map((r) => r.name).join(', ')}); name one of them or leave it empty`,
    });
  if (c.rewards.length === 0 && c.run.mode !== 'sft' && !c.environment.envs.length)
    ctx.addIssue({ code: 'custom', path: ['rewards'], message: 'GRPO needs at least one reward function' });
  checkSchedule(c, ctx);
  checkEnvironment(c, ctx);
  checkLossOptions(c, ctx);
  c.rewards.forEach((r, i) => checkRewardOptions(r, i, ctx));
}

function checkSchedule(c: RunConfig, ctx: Ctx): void {
  const o = c.optim;
  if (o.lr_scheduler_type === 'constant' && o.warmup_ratio > 0)
    ctx.addIssue({
      code: 'custom',
      path: ['optim', 'warmup_ratio'],
      message: `the constant schedule has no warm-up (as in transformers), so warmup_ratio ${o.warmup_ratio} would do nothing; use lr_scheduler_type constant_with_warmup, or set warmup_ratio to 0`,
    });
  const floor = o.lr_scheduler_kwargs.min_lr_rate;
  if (o.lr_scheduler_type === 'cosine_with_min_lr' && floor === undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['optim', 'lr_scheduler_kwargs', 'min_lr_rate'],
      message:
        'cosine_with_min_lr needs lr_scheduler_kwargs.min_lr_rate (the floor as a fraction of the peak, e.g. 0.1)',
    });
  if (o.lr_scheduler_type !== 'cosine_with_min_lr' && floor !== undefined)
    ctx.addIssue({
      code: 'custom',
      path: ['optim', 'lr_scheduler_kwargs', 'min_lr_rate'],
      message: `min_lr_rate applies only to lr_scheduler_type cosine_with_min_lr (it is ${o.lr_scheduler_type}); pick that schedule or remove min_lr_rate`,
    });
}

function checkRewardOptions(r: RunConfig['rewards'][number], i: number, ctx: Ctx): void {
  const schema = REWARD_OPTIONS[r.name];
  if (!schema) return; // a reward registered by another module validates its own options
  const res = schema.safeParse(r.options);
  if (res.success) return;
  for (const issue of res.error.issues) {
    const path = ['rewards', i, 'options', ...issue.path];
    if (issue.code === 'unrecognized_keys')
      for (const k of issue.keys)
        ctx.addIssue({
          code: 'custom',
          path: [...path, k],
          message: `unknown option of the ${r.name} reward; ${unknownOptionMessage(r.name, k)}`,
        });
    else ctx.addIssue({ code: 'custom', path, message: `${r.name} reward: ${issue.message}` });
  }
}

/** Loss settings that only some loss types read: set for another, they would silently do nothing. */
export function checkLossOptions(c: RunConfig, ctx: Ctx): void {
  const g = c.grpo;
  if (g.delta !== undefined && ['cispo', 'sapo', 'vespo'].includes(g.loss_type))
    ctx.addIssue({
      code: 'custom',
      path: ['grpo', 'delta'],
      message: `delta caps the clipped surrogate, which loss_type ${g.loss_type} does not use; remove delta or pick grpo, bnpo, dr_grpo, dapo or luspo`,
    });
  const hi = g.epsilon_high ?? g.epsilon;
  if (g.delta !== undefined && g.delta <= 1 + hi)
    ctx.addIssue({
      code: 'custom',
      path: ['grpo', 'delta'],
      message: `delta (${g.delta}) should be above 1 + epsilon_high (${1 + hi}), or it clips updates the ordinary clip keeps`,
    });
  if (g.loss_type === 'cispo' && hi < 1)
    ctx.addIssue({
      code: 'custom',
      path: ['grpo', 'epsilon_high'],
      message: `with cispo, epsilon_high is the cap of the importance weight itself (${hi} would cap every ratio below 1); set it above 1, e.g. 5 as ScaleRL`,
    });
}
