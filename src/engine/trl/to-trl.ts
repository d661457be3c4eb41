// Our run config as TRL's: the GRPOConfig + ModelConfig fields `trl grpo --config` takes (the YAML the
// export writes and train.py reads), with one row per field of ours whose meaning changes or that TRL
// cannot express, and what the TRL run does instead.
//
//   const { trl, rows } = toTrl(config)    // trl: { learning_rate: 1e-5, max_steps: 60, ... }
import type { RunConfig } from '../config.ts';
import type { MappingRow } from './from-trl.ts';

const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);

/** Batch sizes and step units: one of our steps is num_iterations TRL updates on one generation batch. */
function batchFields(c: RunConfig, rows: MappingRow[]): Record<string, unknown> {
  const G = c.sampling.num_generations,
    P = c.run.prompts_per_step,
    mu = c.grpo.num_iterations;
  const gen = P * G;
  const B = gcd(gen, Math.min(c.run.micro_batch_size, gen));
  if (B !== c.run.micro_batch_size)
    rows.push({
      trl: 'per_device_train_batch_size',
      ours: 'run.micro_batch_size',
      value: B,
      status: 'changed',
      note: `TRL needs the generation batch (${gen}) to be a multiple of it; ${c.run.micro_batch_size} is not, so ${B}`,
    });
  rows.push({
    trl: 'max_steps',
    ours: 'run.max_steps',
    value: c.run.max_steps * mu,
    status: 'changed',
    note: `TRL counts optimiser updates: ${c.run.max_steps} steps x num_iterations ${mu}`,
  });
  rows.push({
    trl: 'generation_batch_size',
    ours: 'run.prompts_per_step',
    value: gen,
    status: 'changed',
    note: `${P} prompts x num_generations ${G} completions; gradient_accumulation_steps = ${gen} / (per_device_train_batch_size x processes), set by train.py for the number of GPUs`,
  });
  return {
    per_device_train_batch_size: B,
    gradient_accumulation_steps: gen / B,
    generation_batch_size: gen,
    num_iterations: mu,
    max_steps: c.run.max_steps * mu,
    save_strategy: c.run.save_steps > 0 ? 'steps' : 'no',
    ...(c.run.save_steps > 0 ? { save_steps: c.run.save_steps * mu } : {}),
    save_total_limit: c.run.save_total_limit,
  };
}

function samplingFields(c: RunConfig, rows: MappingRow[]): Record<string, unknown> {
  const s = c.sampling;
  if (s.temperature === 0)
    rows.push({
      trl: 'temperature',
      ours: 'sampling.temperature',
      value: 1,
      status: 'changed',
      note: 'TRL samples; greedy (0) is not a sampling temperature, so 1 is written',
    });
  if (s.stop.length)
    rows.push({
      trl: 'generation_kwargs',
      ours: 'sampling.stop',
      value: { stop_strings: s.stop },
      status: 'changed',
      note: "as transformers' stop_strings (vLLM: stop)",
    });
  rows.push({
    trl: null,
    ours: 'sampling.max_prompt_length',
    value: s.max_prompt_length,
    status: 'unsupported',
    note: 'TRL does not truncate prompts; the exported prompts are the rendered ones, keep them short',
  });
  return {
    num_generations: s.num_generations,
    max_completion_length: s.max_completion_length,
    temperature: s.temperature > 0 ? s.temperature : 1,
    top_p: s.top_p,
    top_k: s.top_k,
    ...(s.min_p > 0 ? { min_p: s.min_p } : {}),
    repetition_penalty: s.repetition_penalty,
    ...(s.stop.length ? { generation_kwargs: { stop_strings: s.stop } } : {}),
  };
}

function grpoFields(c: RunConfig, rows: MappingRow[]): Record<string, unknown> {
  const g = c.grpo;
  const est = g.advantage_estimator;
  if (est !== 'grpo')
    rows.push({
      trl: null,
      ours: 'grpo.advantage_estimator',
      value: est,
      status: 'unsupported',
      note: `TRL's GRPOTrainer has no ${est}${est === 'ppo' ? ' value head' : est === 'vineppo' ? ' Monte Carlo step values' : ' leave-one-out baseline (TRL has a separate RLOOTrainer)'}; the export trains with GRPO's group-normalised advantages`,
    });
  if (g.dynamic_sampling)
    rows.push({
      trl: null,
      ours: 'grpo.dynamic_sampling',
      value: true,
      status: 'unsupported',
      note: 'TRL trains on every group, including groups whose rewards are all equal (their advantages are 0)',
    });
  return {
    beta: g.beta,
    epsilon: g.epsilon,
    ...(g.epsilon_high !== undefined ? { epsilon_high: g.epsilon_high } : {}),
    ...(g.delta !== undefined ? { delta: g.delta } : {}),
    loss_type: g.loss_type,
    scale_rewards: g.scale_rewards,
    importance_sampling_level: g.importance_sampling_level,
    mask_truncated_completions: g.mask_truncated_completions,
    top_entropy_quantile: g.top_entropy_quantile,
    entropy_coef: g.entropy_coef,
    ...(g.loss_type === 'sapo'
      ? { sapo_temperature_pos: g.sapo_temperature_pos, sapo_temperature_neg: g.sapo_temperature_neg }
      : {}),
    ...(g.loss_type === 'vespo'
      ? {
          vespo_k_pos: g.vespo_k_pos,
          vespo_lambda_pos: g.vespo_lambda_pos,
          vespo_k_neg: g.vespo_k_neg,
          vespo_lambda_neg: g.vespo_lambda_neg,
        }
      : {}),
  };
}

/** Python names of the run's rewards in the exported rewards.py: the reward's name, _2, _3... for repeats. */
export function rewardFuncNames(c: RunConfig): string[] {
  const seen = new Map<string, number>();
  return c.rewards.map((r) => {
    const n = (seen.get(r.name) ?? 0) + 1;
    seen.set(r.name, n);
    return n === 1 ? r.name : `${r.name}_${n}`;
  });
}

function rewardFields(c: RunConfig, rows: MappingRow[]): Record<string, unknown> {
  c.rewards.forEach((r, i) => {
    if (r.weight_end !== undefined)
      rows.push({
        trl: 'reward_weights',
        ours: `rewards.${i}.weight_end`,
        value: r.weight,
        status: 'unsupported',
        note: `TRL's reward weights are constant: ${r.name} keeps weight ${r.weight} for the whole run (no curriculum to ${r.weight_end})`,
      });
  });
  return {
    reward_funcs: rewardFuncNames(c).map((n) => `rewards.${n}`),
    reward_weights: c.rewards.map((r) => r.weight),
  };
}

/** A Hub dataset by name; a built-in or uploaded one exists only here (the export writes it as Parquet). */
function dataFields(c: RunConfig, rows: MappingRow[]): Record<string, unknown> {
  const d = c.data;
  const kw = Object.keys(d.chat_template_kwargs).length ? { chat_template_kwargs: d.chat_template_kwargs } : {};
  rows.push({
    trl: null,
    ours: 'data.template',
    value: d.template,
    status: 'changed',
    note: 'TRL reads a prompt column; the export writes the prompts rendered with this template, system prompt and few-shot examples',
  });
  if (!d.dataset.includes('/'))
    return (
      rows.push({
        trl: 'dataset_name',
        ours: 'data.dataset',
        value: d.dataset,
        status: 'unsupported',
        note: `${d.dataset} is not on the Hub; webgrpo export trl writes it as Parquet`,
      }),
      kw
    );
  return {
    ...kw,
    dataset_name: d.dataset,
    dataset_config: d.config,
    dataset_train_split: d.split,
    dataset_test_split: d.eval_split,
  };
}

/** TRL's fields for our config, and the rows for what does not carry over unchanged. */
export function toTrl(c: RunConfig): { trl: Record<string, unknown>; rows: MappingRow[] } {
  const rows: MappingRow[] = [];
  const o = c.optim;
  if (c.run.mode !== 'grpo')
    rows.push({
      trl: null,
      ours: 'run.mode',
      value: c.run.mode,
      status: 'unsupported',
      note: "the export runs GRPO only; run SFT with TRL's SFTTrainer first",
    });
  if (c.environment.envs.length)
    rows.push({
      trl: null,
      ours: 'environment.envs',
      value: c.environment.envs.map((e) => e.name).join(', '),
      status: 'unsupported',
      note: 'the export trains on a dataset with reward functions; multi-turn environments stay in webgrpo',
    });
  if (c.model.id === 'demo')
    rows.push({
      trl: 'model_name_or_path',
      ours: 'model.id',
      value: 'demo',
      status: 'unsupported',
      note: 'the demo model lives in this app only; put a Hub id in model_name_or_path',
    });
  rows.push({
    trl: 'bf16',
    ours: 'model.weight_dtype',
    value: true,
    status: 'changed',
    note: 'the browser trains in f32; on GPUs TRL uses bf16 (set bf16: false for f32)',
  });
  rows.push({
    trl: 'eval_strategy',
    ours: 'run.eval_steps',
    value: 'no',
    status: 'changed',
    note: "our evaluation (accuracy on held-out rows) is not TRL's eval loss: evaluate the adapter with webgrpo eval --adapter",
  });
  const trl: Record<string, unknown> = {
    model_name_or_path: c.model.id,
    model_revision: c.model.revision,
    use_peft: true,
    lora_r: c.lora.r,
    lora_alpha: c.lora.alpha,
    lora_dropout: c.lora.dropout,
    lora_target_modules: c.lora.target_modules,
    use_rslora: c.lora.use_rslora,
    lora_task_type: 'CAUSAL_LM',
    ...samplingFields(c, rows),
    ...grpoFields(c, rows),
    learning_rate: o.learning_rate,
    weight_decay: o.weight_decay,
    adam_beta1: o.adam_beta1,
    adam_beta2: o.adam_beta2,
    adam_epsilon: o.adam_epsilon,
    max_grad_norm: o.max_grad_norm,
    lr_scheduler_type: o.lr_scheduler_type,
    ...(o.lr_scheduler_kwargs.min_lr_rate !== undefined
      ? { lr_scheduler_kwargs: { min_lr_rate: o.lr_scheduler_kwargs.min_lr_rate } }
      : {}),
    warmup_ratio: o.warmup_ratio,
    ...batchFields(c, rows),
    seed: c.run.seed,
    gradient_checkpointing: c.run.gradient_checkpointing,
    bf16: true,
    logging_steps: 1,
    eval_strategy: 'no',
    ...rewardFields(c, rows),
    ...dataFields(c, rows),
  };
  return { trl, rows };
}
