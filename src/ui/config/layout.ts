// Where each config field sits in the Config tab, and what it is called there: one row per field of the
// schema (engine/config.ts; a reward's fields as `rewards.<key>`), in the order the form shows them. The
// schema keeps each field's meaning; this table adds only the section, a label in words and TRL's name
// for the knob ('' where TRL has none). tests/ui/config-layout.test.ts fails for a schema field left out.

export type SectionId =
  | 'basic'
  | 'sampling'
  | 'estimator'
  | 'loss'
  | 'optim'
  | 'lora'
  | 'rewards'
  | 'data'
  | 'env'
  | 'eval'
  | 'run'
  | 'speed';

export interface Section {
  id: SectionId;
  title: string;
  intro: string;
}

export const SECTIONS: Section[] = [
  { id: 'basic', title: 'Basic', intro: 'What to train, on which questions, how it is scored and for how long.' },
  { id: 'sampling', title: 'Sampling', intro: 'How the answers of each step are generated.' },
  { id: 'estimator', title: 'Advantages', intro: 'How each answer is compared with the others to decide its push.' },
  {
    id: 'loss',
    title: 'Loss and clipping',
    intro: 'How far one update may move the model, and the loss it minimises.',
  },
  { id: 'optim', title: 'Optimiser and schedule', intro: 'AdamW and the learning rate over the run.' },
  { id: 'lora', title: 'LoRA adapter', intro: 'The small trainable matrices added to the frozen model.' },
  { id: 'rewards', title: 'Rewards over time and limits', intro: 'Per reward: a weight that changes, and limits.' },
  { id: 'data', title: 'Data and prompts', intro: 'Dataset columns and splits, and how prompts are written.' },
  {
    id: 'env',
    title: 'Environments',
    intro: 'Multi-turn episodes instead of a dataset: which environments, turns, tokens per turn.',
  },
  { id: 'eval', title: 'Evaluation', intro: 'How often, and on how many held-out questions, accuracy is measured.' },
  { id: 'run', title: 'Run and checkpoints', intro: 'Training mode, batch, seed and what is saved.' },
  { id: 'speed', title: 'Model, memory and speed', intro: 'The model revision, and memory traded for time.' },
];

/** Field path -> [section, label in words, TRL's name ('' where TRL has no such knob)]. */
export const PLACES: Record<string, [SectionId, string, string]> = {
  'model.id': ['basic', 'Model', 'model_name_or_path'],
  'data.dataset': ['basic', 'Dataset', 'dataset_name'],
  'rewards.name': ['basic', 'Reward', 'reward_funcs'],
  'rewards.weight': ['basic', 'Weight', 'reward_weights'],
  'rewards.options': ['basic', 'Options', ''],
  'run.max_steps': ['basic', 'Steps', 'max_steps'],
  'sampling.num_generations': ['basic', 'Completions per prompt', 'num_generations'],
  'optim.learning_rate': ['basic', 'Learning rate', 'learning_rate'],
  'sampling.max_completion_length': ['basic', 'Completion length (tokens)', 'max_completion_length'],

  'sampling.temperature': ['sampling', 'Temperature', 'temperature'],
  'sampling.top_p': ['sampling', 'Top-p (nucleus)', 'top_p'],
  'sampling.top_k': ['sampling', 'Top-k', 'top_k'],
  'sampling.min_p': ['sampling', 'Min-p', 'min_p'],
  'sampling.repetition_penalty': ['sampling', 'Repetition penalty', 'repetition_penalty'],
  'sampling.stop': ['sampling', 'Stop strings', ''],
  'sampling.max_prompt_length': ['sampling', 'Prompt length limit (tokens)', ''],

  'grpo.advantage_estimator': ['estimator', 'Advantage estimator', ''],
  'grpo.scale_rewards': ['estimator', 'Divide advantages by the std of', 'scale_rewards'],
  'grpo.vineppo_k': ['estimator', 'Rollouts per step prefix (K)', ''],
  'grpo.vineppo_max_steps': ['estimator', 'Steps valued per completion, at most', ''],
  'grpo.step_delimiter': ['estimator', 'Step delimiter', ''],
  'grpo.vf_coef': ['estimator', 'Value loss weight', ''],
  'grpo.cliprange_value': ['estimator', 'Value clip range', ''],
  'grpo.gamma': ['estimator', 'Discount (gamma)', ''],
  'grpo.lam': ['estimator', 'GAE lambda', ''],
  'grpo.dynamic_sampling': ['estimator', 'Drop groups whose rewards are all equal', ''],
  'grpo.max_generation_rounds': ['estimator', 'Generation rounds per step, at most', ''],

  'grpo.loss_type': ['loss', 'Loss', 'loss_type'],
  'grpo.epsilon': ['loss', 'Clip range below', 'epsilon'],
  'grpo.epsilon_high': ['loss', 'Clip range above', 'epsilon_high'],
  'grpo.delta': ['loss', 'Ratio cap (two-sided clipping)', 'delta'],
  'grpo.sapo_temperature_pos': ['loss', 'Gate temperature, positive advantage', 'sapo_temperature_pos'],
  'grpo.sapo_temperature_neg': ['loss', 'Gate temperature, other advantages', 'sapo_temperature_neg'],
  'grpo.vespo_k_pos': ['loss', 'Weighting power k, non-negative advantage', 'vespo_k_pos'],
  'grpo.vespo_lambda_pos': ['loss', 'Weighting decay lambda, non-negative advantage', 'vespo_lambda_pos'],
  'grpo.vespo_k_neg': ['loss', 'Weighting power k, negative advantage', 'vespo_k_neg'],
  'grpo.vespo_lambda_neg': ['loss', 'Weighting decay lambda, negative advantage', 'vespo_lambda_neg'],
  'grpo.beta': ['loss', 'KL penalty weight', 'beta'],
  'grpo.importance_sampling_level': ['loss', 'Importance ratio per', 'importance_sampling_level'],
  'grpo.num_iterations': ['loss', 'Updates per generated batch', 'num_iterations'],
  'grpo.top_entropy_quantile': ['loss', 'Share of tokens trained, by entropy', 'top_entropy_quantile'],
  'grpo.entropy_coef': ['loss', 'Entropy bonus', 'entropy_coef'],
  'grpo.mask_truncated_completions': ['loss', 'Leave out cut-off completions', 'mask_truncated_completions'],

  'optim.lr_scheduler_type': ['optim', 'Learning-rate schedule', 'lr_scheduler_type'],
  'optim.warmup_ratio': ['optim', 'Warm-up share of the updates', 'warmup_ratio'],
  'optim.lr_scheduler_kwargs.min_lr_rate': ['optim', 'Final learning rate, share of the peak', 'lr_scheduler_kwargs'],
  'optim.weight_decay': ['optim', 'Weight decay', 'weight_decay'],
  'optim.max_grad_norm': ['optim', 'Gradient norm clip', 'max_grad_norm'],
  'optim.adam_beta1': ['optim', 'Adam beta1', 'adam_beta1'],
  'optim.adam_beta2': ['optim', 'Adam beta2', 'adam_beta2'],
  'optim.adam_epsilon': ['optim', 'Adam epsilon', 'adam_epsilon'],

  'lora.r': ['lora', 'Rank', 'lora_r'],
  'lora.alpha': ['lora', 'Alpha (scale)', 'lora_alpha'],
  'lora.dropout': ['lora', 'Dropout', 'lora_dropout'],
  'lora.target_modules': ['lora', 'Layers adapted', 'lora_target_modules'],
  'lora.use_rslora': ['lora', 'Rank-stabilised scaling', 'use_rslora'],

  'rewards.weight_end': ['rewards', 'Weight at the end', ''],
  'rewards.phase_start': ['rewards', 'Weight starts moving at (share of the run)', ''],
  'rewards.phase_end': ['rewards', 'Weight arrives at (share of the run)', ''],
  'rewards.timeout_ms': ['rewards', 'Time limit per call (ms)', ''],
  'rewards.failure_score': ['rewards', 'Score of a failed call', ''],

  'data.prompt_field': ['data', 'Prompt column', ''],
  'data.answer_field': ['data', 'Answer column', ''],
  'data.config': ['data', 'Hub dataset config', 'dataset_config'],
  'data.split': ['data', 'Training split', 'dataset_train_split'],
  'data.eval_split': ['data', 'Evaluation split', 'dataset_test_split'],
  'data.template': ['data', 'Prompt template', ''],
  'data.system_prompt': ['data', 'System prompt', ''],
  'data.num_few_shot': ['data', 'Worked examples per prompt', ''],
  'data.chat_template_kwargs': ['data', 'Chat template arguments (JSON)', 'chat_template_kwargs'],
  'data.shuffle_seed': ['data', 'Shuffle seed', ''],

  'environment.envs': ['env', 'Environments (JSON list of name, weight, options)', ''],
  'environment.max_turns': ['env', "Turn limit per episode (0: each one's own)", ''],
  'environment.max_turn_tokens': ['env', 'Tokens per model turn', ''],
  'environment.step_timeout_ms': ['env', 'Deadline of an environment step (ms)', ''],
  'environment.max_observation_chars': ['env', 'Longest environment answer (characters)', ''],
  'environment.eval_episodes': ['env', 'Evaluation episodes per environment', ''],

  'run.eval_steps': ['eval', 'Evaluate every (steps)', 'eval_steps'],
  'run.eval_examples': ['eval', 'Questions per evaluation', ''],
  'run.eval_num_samples': ['eval', 'Answers per question (k)', ''],
  'run.eval_reward': ['eval', 'Reward that judges correctness', ''],
  'run.eval_threshold': ['eval', 'Correct from this score', ''],

  'run.mode': ['run', 'Training mode', ''],
  'run.sft_steps': ['run', 'SFT steps first', ''],
  'run.prompts_per_step': ['run', 'Prompts per step', ''],
  'run.seed': ['run', 'Random seed', 'seed'],
  'run.save_steps': ['run', 'Save a checkpoint every (steps)', 'save_steps'],
  'run.save_total_limit': ['run', 'Checkpoints kept', 'save_total_limit'],
  'run.completions_log_size': ['run', 'Completions kept in the log', ''],
  'run.step_view_logprobs': ['run', 'Measure how the update moved the shown answers', ''],

  'run.micro_batch_size': ['speed', 'Micro-batch size', 'per_device_train_batch_size'],
  'run.gradient_checkpointing': ['speed', 'Gradient checkpointing', 'gradient_checkpointing'],
  'run.fused_kernels': ['speed', 'Fused GPU kernels', ''],
  'model.weight_dtype': ['speed', 'Base weights on the GPU', ''],
  'model.revision': ['speed', 'Hub revision of the model', 'model_revision'],
};

/** The table's row of a field path; a reward's fields ("rewards.0.weight_end") by their key. */
export function placeOf(path: string): { section: SectionId; label: string; trl: string } | undefined {
  const key = path.replace(/^rewards\.\d+\./, 'rewards.');
  const row = PLACES[key];
  return row && { section: row[0], label: row[1], trl: row[2] };
}
