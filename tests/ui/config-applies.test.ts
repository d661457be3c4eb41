// The Config tab's applicability table: which fields a setup reads, so that the form shows the PPO fields
// only with the ppo estimator, the SAPO temperatures only with loss sapo, and so on.
import { describe, it, expect } from 'vitest';
import { parseRunConfig, RunConfigSchema } from '../../src/engine/config.ts';
import { APPLIES, applies, optionApplies } from '../../src/ui/config/applies.ts';
import { optionFields } from '../../src/ui/data/reward-options.ts';
import { PLACES } from '../../src/ui/config/layout.ts';
import { pathOf, schemaFields } from '../../src/ui/config/fields.ts';

const cfg = (over: Record<string, unknown>) => parseRunConfig(over);
const shownOf = (c: ReturnType<typeof cfg>, paths: string[]) => paths.filter((p) => applies(p, c));

const ESTIMATOR_FIELDS = [
  'grpo.scale_rewards',
  'grpo.vineppo_k',
  'grpo.vineppo_max_steps',
  'grpo.step_delimiter',
  'grpo.vf_coef',
  'grpo.cliprange_value',
  'grpo.gamma',
  'grpo.lam',
];
const LOSS_FIELDS = [
  'grpo.epsilon',
  'grpo.epsilon_high',
  'grpo.delta',
  'grpo.sapo_temperature_pos',
  'grpo.sapo_temperature_neg',
  'grpo.vespo_k_pos',
  'grpo.vespo_lambda_pos',
  'grpo.vespo_k_neg',
  'grpo.vespo_lambda_neg',
];

describe('which fields apply', () => {
  it('names only fields of the schema', () => {
    const paths = new Set(schemaFields().map(pathOf));
    const isOption = (p: string) => {
      const [, , reward, option] = p.split('.');
      return optionFields(reward).some((f) => f.key === option);
    };
    const stale = Object.keys(APPLIES).filter((p) =>
      p.startsWith('rewards.options.') ? !isOption(p) : !paths.has(p) || !PLACES[p],
    );
    expect(stale).toEqual([]);
    expect(RunConfigSchema).toBeDefined();
  });

  it('shows each estimator its own fields', () => {
    const of = (e: string) => shownOf(cfg({ grpo: { advantage_estimator: e } }), ESTIMATOR_FIELDS);
    expect(of('grpo')).toEqual(['grpo.scale_rewards']);
    expect(of('rloo')).toEqual(['grpo.scale_rewards']);
    expect(of('vineppo')).toEqual(['grpo.vineppo_k', 'grpo.vineppo_max_steps', 'grpo.step_delimiter']);
    expect(of('ppo')).toEqual(['grpo.vf_coef', 'grpo.cliprange_value', 'grpo.gamma', 'grpo.lam']);
  });

  it('shows each loss the clipping settings it reads', () => {
    // the config as the form holds it while being edited: not necessarily valid
    const of = (l: string) => {
      const c = cfg({});
      c.grpo.loss_type = l as typeof c.grpo.loss_type;
      return shownOf(c, LOSS_FIELDS);
    };
    for (const l of ['grpo', 'bnpo', 'dr_grpo', 'dapo', 'luspo'])
      expect(of(l), l).toEqual(['grpo.epsilon', 'grpo.epsilon_high', 'grpo.delta']);
    expect(of('cispo')).toEqual(['grpo.epsilon_high']);
    expect(of('sapo')).toEqual(['grpo.sapo_temperature_pos', 'grpo.sapo_temperature_neg']);
    expect(of('vespo')).toEqual([
      'grpo.vespo_k_pos',
      'grpo.vespo_lambda_pos',
      'grpo.vespo_k_neg',
      'grpo.vespo_lambda_neg',
    ]);
  });

  it('follows the schedule, the mode, dynamic sampling, checkpoints and a reward curriculum', () => {
    const d = cfg({});
    expect(applies('optim.warmup_ratio', d)).toBe(false);
    expect(applies('optim.lr_scheduler_kwargs.min_lr_rate', d)).toBe(false);
    const cos = cfg({ optim: { lr_scheduler_type: 'cosine_with_min_lr', lr_scheduler_kwargs: { min_lr_rate: 0.1 } } });
    expect(applies('optim.warmup_ratio', cos)).toBe(true);
    expect(applies('optim.lr_scheduler_kwargs.min_lr_rate', cos)).toBe(true);
    expect(applies('run.sft_steps', d)).toBe(false);
    expect(applies('run.sft_steps', cfg({ run: { mode: 'sft_then_grpo', sft_steps: 2 } }))).toBe(true);
    const sft = cfg({ run: { mode: 'sft' } });
    expect(applies('grpo.loss_type', sft)).toBe(false);
    expect(applies('sampling.num_generations', sft)).toBe(false);
    expect(applies('optim.learning_rate', sft)).toBe(true);
    expect(applies('grpo.max_generation_rounds', d)).toBe(false);
    expect(applies('grpo.max_generation_rounds', cfg({ grpo: { dynamic_sampling: true } }))).toBe(true);
    expect(applies('run.save_total_limit', cfg({ run: { save_steps: 0 } }))).toBe(false);
    const curr = cfg({ rewards: [{ name: 'math' }, { name: 'format', weight: 0, weight_end: 1 }] });
    expect(applies('rewards.0.phase_start', curr)).toBe(false);
    expect(applies('rewards.1.phase_start', curr)).toBe(true);
    expect(applies('rewards.1.phase_end', curr)).toBe(true);
    expect(applies('rewards.0.timeout_ms', curr)).toBe(true);
  });

  it("follows a reward's own options", () => {
    expect(optionApplies('format', 'pattern', { style: 'boxed' })).toBe(false);
    expect(optionApplies('format', 'flags', { style: 'boxed' })).toBe(false);
    expect(optionApplies('format', 'pattern', { style: 'regex' })).toBe(true);
    expect(optionApplies('format', 'style', {})).toBe(true);
    expect(optionApplies('math', 'tolerance', {})).toBe(true);
  });

  it('applies every field not in the table, whatever the setup', () => {
    const c = cfg({ grpo: { advantage_estimator: 'ppo', loss_type: 'sapo' } });
    for (const p of schemaFields().map(pathOf))
      if (!APPLIES[p] && !p.startsWith('grpo.')) expect(applies(p, c), p).toBe(true);
  });
});
