// TRL configs in and out: every field of a TRL file is accounted for (mapped, changed, unsupported), typos
// are refused with the nearest TRL name, step units and batch sizes convert exactly, and our config makes
// the round trip through TRL's fields.
import { describe, it, expect } from 'vitest';
import { fromTrl, TrlConfigError } from '../../src/engine/trl/from-trl.ts';
import { toTrl } from '../../src/engine/trl/to-trl.ts';
import { parseTrlText, trlYaml } from '../../src/engine/trl/text.ts';
import { parseRunConfig } from '../../src/engine/config.ts';
import { presetConfig } from '../../src/engine/presets.ts';

const YAML = `
model_name_or_path: Qwen/Qwen2.5-0.5B-Instruct
dataset_name: openai/gsm8k
learning_rate: 1.0e-5
lr_scheduler_type: cosine
warmup_ratio: 0.1
per_device_train_batch_size: 4
gradient_accumulation_steps: 8
num_generations: 8
max_steps: 200
num_iterations: 2
beta: 0.04
use_peft: true
lora_r: 8
lora_target_modules: "model\\\\.layers\\\\.\\\\d+\\\\.self_attn\\\\.(q|v)_proj"
alpha_pattern: {q_proj: 64}
reward_funcs: [accuracy_reward, think_format_reward]
reward_weights: [1.0, 0.1]
use_vllm: true
bf16: true
report_to: wandb
`;

function problems(text: string): string[] {
  try {
    fromTrl(parseTrlText(text));
  } catch (e) {
    if (e instanceof TrlConfigError) return e.problems;
    throw e;
  }
  throw new Error('accepted');
}

describe('config from-trl', () => {
  it('accounts for every field of the file, once', () => {
    const input = parseTrlText(YAML);
    const { rows } = fromTrl(input);
    const named = rows.filter((r) => r.trl && r.trl in input).map((r) => r.trl);
    expect([...named].sort()).toEqual(Object.keys(input).sort());
    const status = Object.fromEntries(rows.map((r) => [r.trl, r.status]));
    expect(status).toMatchObject({
      use_vllm: 'unsupported',
      bf16: 'unsupported',
      alpha_pattern: 'unsupported',
      max_steps: 'changed',
      learning_rate: 'mapped',
    });
  });
  it('converts step units, batch sizes and reward weights exactly, and uses TRL defaults for absent fields', () => {
    const { config: c } = fromTrl(parseTrlText(YAML));
    expect(c.run.prompts_per_step).toBe(4); // 4 x 8 completions per update / 8 generations
    expect(c.run.micro_batch_size).toBe(4);
    expect(c.run.max_steps).toBe(100); // 200 updates, 2 per generation batch (num_iterations)
    expect(c.rewards.map((r) => [r.name, r.weight, r.options])).toEqual([
      ['math', 1, {}],
      ['format', 0.1, { style: 'think' }],
    ]);
    expect(c.lora.target_modules).toEqual(['q_proj', 'v_proj']); // the regex, resolved as PEFT does
    expect(c.lora).toMatchObject({ r: 8, alpha: 32, dropout: 0.05 }); // TRL's defaults for alpha and dropout
    expect(c.optim).toMatchObject({ learning_rate: 1e-5, adam_beta2: 0.999, lr_scheduler_type: 'cosine' });
    expect(c.sampling.max_completion_length).toBe(512);
    expect(c.run.seed).toBe(42);
  });
  it('says how the meaning changes when a generation batch spans several updates', () => {
    const { config, rows } = fromTrl({
      per_device_train_batch_size: 8,
      gradient_accumulation_steps: 2,
      steps_per_generation: 4,
      max_steps: 10,
      reward_funcs: ['accuracy_reward'],
    });
    expect(config.run.prompts_per_step).toBe(4); // 8 x 4 / 8
    expect(config.run.max_steps).toBe(5); // 10 updates, 2 per generation batch, rounded up
    expect(rows.find((r) => r.trl === 'gradient_accumulation_steps')!.note).toMatch(/2 updates per generation batch/);
  });
  it('refuses typos with the nearest TRL name, every one of them', () => {
    const p = problems('betaa: 0.1\nlearning_rte: 1e-5\nlora_r: 8\n');
    expect(p).toHaveLength(2);
    expect(p[0]).toMatch(/^betaa: .*did you mean beta\?/);
    expect(p[1]).toMatch(/did you mean learning_rate\?/);
  });
  it('refuses batch sizes TRL refuses and unreadable text', () => {
    expect(problems('per_device_train_batch_size: 3\nnum_generations: 8\n')[0]).toMatch(
      /multiple of num_generations 8/,
    );
    expect(problems('a: [1, 2')[0]).toMatch(/not valid YAML or JSON/);
    expect(problems('reward_funcs: [accuracy_reward]\nreward_weights: [1, 2]\n')[0]).toMatch(/one per function/);
  });
  it('reads a JSON dict of GRPOConfig and LoraConfig kwargs', () => {
    const { config, rows } = fromTrl(
      parseTrlText(
        JSON.stringify({
          grpo_config: { num_generations: 4, per_device_train_batch_size: 4 },
          lora_config: { r: 4, lora_alpha: 8, target_modules: 'all-linear', bias: 'all' },
        }),
      ),
    );
    expect(config.lora).toMatchObject({ r: 4, alpha: 8 });
    expect(config.lora.target_modules).toHaveLength(7);
    expect(rows.find((r) => r.trl === 'bias')!.status).toBe('unsupported');
  });

  it('maps luspo and vespo with their parameters; luspo at token level is a changed meaning', () => {
    const v = fromTrl(parseTrlText('loss_type: vespo\nvespo_k_pos: 1.5\nvespo_lambda_neg: 2.5'));
    expect(v.config.grpo).toMatchObject({
      loss_type: 'vespo',
      vespo_k_pos: 1.5,
      vespo_lambda_pos: 3,
      vespo_lambda_neg: 2.5,
    });
    expect(v.rows.find((r) => r.trl === 'loss_type')!.status).toBe('mapped');
    const seq = fromTrl(parseTrlText('loss_type: luspo\nimportance_sampling_level: sequence'));
    expect(seq.rows.find((r) => r.trl === 'loss_type')!.status).toBe('mapped');
    const tok = fromTrl(parseTrlText('loss_type: luspo'));
    expect(tok.config.grpo.loss_type).toBe('luspo');
    expect(tok.rows.find((r) => r.trl === 'loss_type')!.status).toBe('changed');
    const back = fromTrl(parseTrlText(trlYaml(toTrl(v.config).trl))).config.grpo;
    expect(back).toMatchObject({ loss_type: 'vespo', vespo_k_pos: 1.5, vespo_lambda_neg: 2.5 });
  });
});

describe('config to-trl', () => {
  it('makes the round trip through TRL fields for every preset', () => {
    for (const name of ['demo', '1h', '3h', 'full']) {
      const c = parseRunConfig({
        ...presetConfig(name),
        grpo: { ...presetConfig(name).grpo, dynamic_sampling: false },
      });
      const { trl } = toTrl(c);
      const back = fromTrl(parseTrlText(trlYaml(trl))).config;
      expect(back.sampling, name).toEqual({ ...c.sampling, max_prompt_length: back.sampling.max_prompt_length });
      expect(back.lora, name).toEqual(c.lora);
      expect(back.optim, name).toEqual(c.optim);
      expect(
        back.rewards.map((r) => [r.name, r.weight]),
        name,
      ).toEqual(c.rewards.map((r) => [r.name, r.weight]));
      for (const k of ['max_steps', 'prompts_per_step', 'micro_batch_size', 'seed', 'gradient_checkpointing'] as const)
        expect(back.run[k], `${name} ${k}`).toBe(c.run[k]);
      for (const k of ['beta', 'epsilon', 'epsilon_high', 'loss_type', 'num_iterations', 'scale_rewards'] as const)
        expect(back.grpo[k], `${name} ${k}`).toBe(c.grpo[k]);
    }
  });
  it('names what TRL cannot express', () => {
    const c = parseRunConfig({
      grpo: { advantage_estimator: 'vineppo', dynamic_sampling: true },
      rewards: [{ name: 'math', weight: 1, weight_end: 0.5 }],
    });
    const { rows } = toTrl(c);
    const notes = rows.filter((r) => r.status === 'unsupported').map((r) => r.ours);
    expect(notes).toEqual(
      expect.arrayContaining(['grpo.advantage_estimator', 'grpo.dynamic_sampling', 'rewards.0.weight_end', 'model.id']),
    );
  });
});
