// The one run configuration: a zod schema that the UI form, the shareable link, the CLI and the
// checkpoints all read. Every field is documented here once (its `.describe()` is the help text the UI
// shows); names follow TRL's GRPOConfig where TRL has the knob, DAPO's paper where it does not.
//
//   const cfg = parseRunConfig(json)   // throws ConfigError with every problem and how to fix it
//   const cfg = defaultRunConfig()     // all defaults
import { z } from 'zod';
import { checkRunConfig } from './config-checks.ts';
import { formatIssues } from './config-errors.ts';
import { upgradeLegacyConfig } from './config-legacy.ts';
import { EnvironmentSchema, environmentDefaults } from './config-env.ts';

export const LORA_TARGETS = ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'] as const;
export type LoraTarget = (typeof LORA_TARGETS)[number];

const num = (d: number, desc: string) => z.number().default(d).describe(desc);
/** Lengths and counts have an upper bound too, so that a typo (1000000 for 1000) is refused with the range. */
const int = (d: number, min: number, desc: string, max = 1_000_000) =>
  z.number().int().min(min).max(max).default(d).describe(desc);
const SEED_MAX = 2 ** 32 - 1;

export const ModelSchema = z
  .strictObject({
    id: z
      .string()
      .min(1)
      .default('demo')
      .describe(
        'Model: "demo" (bundled tiny model), a Hugging Face Hub id such as Qwen/Qwen2.5-0.5B-Instruct, or a URL of a model folder.',
      ),
    revision: z.string().default('main').describe('Hub revision (branch, tag or commit) to download.'),
    weight_dtype: z
      .enum(['stored', 'f32'])
      .default('stored')
      .describe(
        'Storage of the frozen base weights on the GPU. "stored": as the checkpoint has them, so a bf16 or f16 model stays 16-bit (two values in each 32-bit word, unpacked by the kernels: half the memory of f32, the same results as an f32 model of the same values); an f32 model stays f32. "f32": every weight widened to f32.',
      ),
  })
  .describe('Model');

export const LoraSchema = z
  .strictObject({
    r: int(16, 1, 'LoRA rank.', 1_024),
    alpha: num(32, 'LoRA alpha; the update is scaled by alpha / r (alpha / sqrt(r) with rsLoRA).'),
    dropout: z.number().min(0).max(0.9).default(0).describe('Dropout on the LoRA input during training.'),
    target_modules: z
      .array(z.enum(LORA_TARGETS))
      .min(1)
      .default([...LORA_TARGETS])
      .describe('Projections that get a LoRA adapter.'),
    use_rslora: z.boolean().default(false).describe('Rank-stabilised LoRA scaling alpha / sqrt(r).'),
  })
  .describe('LoRA');

export const SamplingSchema = z
  .strictObject({
    num_generations: int(8, 1, 'G: completions sampled per prompt (the group).', 256),
    max_prompt_length: int(256, 1, 'Prompts longer than this are truncated from the left.', 32_768),
    max_completion_length: int(256, 1, 'Maximum new tokens per completion.', 32_768),
    temperature: z.number().min(0).default(1).describe('Sampling temperature; 0 is greedy.'),
    top_p: z
      .number()
      .gt(0)
      .max(1)
      .default(1)
      .describe('Nucleus sampling: keep the smallest set of tokens with this much probability.'),
    top_k: int(0, 0, 'Keep only the k most likely tokens (0: off).'),
    min_p: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe('Drop tokens less likely than min_p times the most likely one (0: off).'),
    repetition_penalty: z
      .number()
      .gt(0)
      .default(1)
      .describe('Penalty for tokens already present (1: off), as in Hugging Face generate.'),
    stop: z
      .array(z.string())
      .default([])
      .describe('Stop strings: generation of a completion ends when its text contains one.'),
  })
  .describe('Sampling');

export const GrpoSchema = z
  .strictObject({
    advantage_estimator: z
      .enum(['grpo', 'rloo', 'vineppo', 'ppo'])
      .default('grpo')
      .describe(
        'How advantages are computed: group-normalised rewards (GRPO), the leave-one-out baseline (RLOO), per-step Monte Carlo values from fresh rollouts (VinePPO), or a learned value head with GAE (PPO).',
      ),
    vineppo_k: int(9, 1, 'VinePPO: fresh rollouts continued from each step prefix to estimate its value (K).', 64),
    vineppo_max_steps: int(
      8,
      1,
      'VinePPO: most steps valued per completion; longer completions have neighbouring steps merged.',
      64,
    ),
    step_delimiter: z
      .string()
      .min(1)
      .default('\n')
      .describe('VinePPO: a step ends after a token whose text contains this string.'),
    vf_coef: z
      .number()
      .min(0)
      .default(0.1)
      .describe('PPO: weight of the value loss (its gradient trains only the value head).'),
    cliprange_value: z
      .number()
      .min(0)
      .default(0.2)
      .describe(
        'PPO: the new value may move at most this far from the rollout-time value in the clipped value loss (0: no clipping).',
      ),
    gamma: z.number().min(0).max(1).default(1).describe('PPO: discount factor of GAE.'),
    lam: z
      .number()
      .min(0)
      .max(1)
      .default(0.95)
      .describe('PPO: lambda of GAE (1: Monte Carlo returns, 0: one-step TD).'),
    entropy_coef: z
      .number()
      .min(0)
      .default(0)
      .describe('Entropy bonus: subtracts this times the token-mean entropy from the policy loss (any estimator).'),
    loss_type: z
      .enum(['grpo', 'bnpo', 'dr_grpo', 'dapo', 'cispo', 'sapo', 'luspo', 'vespo'])
      .default('dapo')
      .describe(
        "Loss, as TRL's loss_type: grpo (per-sequence mean), bnpo (token mean per micro-batch), dr_grpo (sum / (G x max_completion_length)), dapo (token mean over the whole accumulated batch); cispo (MiniMax-M1: the importance weight capped at epsilon_high, no gradient through it, times A x logp; token mean as dapo), sapo (a sigmoid gate of temperature sapo_temperature_pos/neg instead of clipping; per-sequence mean as grpo), luspo (the clipped loss of each sequence times its length, mean over sequences; meant for importance_sampling_level sequence), vespo (a gamma weighting of the sequence ratio, vespo_k/lambda, times A x logp; token mean as dapo).",
      ),
    delta: z
      .number()
      .gt(1)
      .optional()
      .describe(
        'Two-sided clipping (INTELLECT-2): the ratio is also capped at delta in the unclipped term; above 1 + epsilon_high (unset: off).',
      ),
    sapo_temperature_pos: z
      .number()
      .gt(0)
      .default(1)
      .describe('sapo: gate temperature for tokens with a positive advantage.'),
    sapo_temperature_neg: z
      .number()
      .gt(0)
      .default(1.05)
      .describe('sapo: gate temperature for tokens with a non-positive advantage.'),
    vespo_k_pos: num(2, 'vespo: power k of the weighting for non-negative advantages (down-weights ratios below 1).'),
    vespo_lambda_pos: z.number().gt(0).default(3).describe('vespo: decay lambda for non-negative advantages.'),
    vespo_k_neg: num(3, 'vespo: power k of the weighting for negative advantages.'),
    vespo_lambda_neg: z.number().gt(0).default(2).describe('vespo: decay lambda for negative advantages.'),
    top_entropy_quantile: z
      .number()
      .min(0)
      .max(1)
      .default(1)
      .describe(
        'Keep in the policy loss only this top fraction of tokens by entropy, per micro-batch (Beyond the 80/20 Rule recommends 0.2; 1: all tokens).',
      ),
    beta: z
      .number()
      .min(0)
      .default(0)
      .describe('Weight of the k3 KL penalty to the reference model (adapter off); 0 skips the reference pass.'),
    epsilon: z.number().gt(0).default(0.2).describe('Lower clipping range: ratios below 1 - epsilon are clipped.'),
    epsilon_high: z
      .number()
      .gt(0)
      .optional()
      .describe(
        'Upper clipping range (DAPO clip-higher, e.g. 0.28); defaults to epsilon. With cispo: the cap of the importance weight (ScaleRL uses 5).',
      ),
    scale_rewards: z
      .enum(['group', 'batch', 'none'])
      .default('group')
      .describe('Divide advantages by the std of the group, of the batch, or not at all (Dr. GRPO).'),
    num_iterations: int(
      1,
      1,
      'mu: optimisation passes over each generated batch; >1 uses the old log-probabilities for the ratio.',
      64,
    ),
    importance_sampling_level: z
      .enum(['token', 'sequence'])
      .default('token')
      .describe('Importance ratio per token (GRPO) or per sequence (GSPO).'),
    mask_truncated_completions: z
      .boolean()
      .default(false)
      .describe('DAPO overlong filtering: completions cut by the length limit do not contribute to the loss.'),
    dynamic_sampling: z
      .boolean()
      .default(false)
      .describe('DAPO: drop groups whose rewards are all equal and keep generating until the batch is full.'),
    max_generation_rounds: int(3, 1, 'Cap on generation rounds per step when dynamic sampling.', 64),
  })
  .describe('GRPO');

export const OptimSchema = z
  .strictObject({
    learning_rate: z.number().gt(0).default(1e-4).describe('Peak learning rate of AdamW.'),
    weight_decay: z.number().min(0).default(0).describe('Decoupled weight decay of AdamW.'),
    adam_beta1: z.number().min(0).lt(1).default(0.9).describe('AdamW beta1.'),
    adam_beta2: z.number().min(0).lt(1).default(0.99).describe('AdamW beta2.'),
    adam_epsilon: z.number().gt(0).default(1e-8).describe('AdamW epsilon.'),
    max_grad_norm: z.number().min(0).default(1).describe('Clip the global gradient norm to this (0: off).'),
    lr_scheduler_type: z
      .enum(['constant', 'constant_with_warmup', 'linear', 'cosine', 'cosine_with_min_lr'])
      .default('constant')
      .describe(
        "Learning-rate schedule, as transformers' get_scheduler names them: constant (no warm-up), constant_with_warmup, linear and cosine (warm-up, then down to 0), cosine_with_min_lr (down to lr_scheduler_kwargs.min_lr_rate).",
      ),
    lr_scheduler_kwargs: z
      .strictObject({
        min_lr_rate: z
          .number()
          .min(0)
          .max(1)
          .optional()
          .describe('cosine_with_min_lr: the floor, as a fraction of the peak learning rate.'),
      })
      .prefault({})
      .describe('Arguments of the schedule (transformers lr_scheduler_kwargs).'),
    warmup_ratio: z
      .number()
      .min(0)
      .max(1)
      .default(0)
      .describe(
        'Fraction of the optimiser updates with a linear warm-up from 0 (ceil(warmup_ratio x updates)); not with constant.',
      ),
  })
  .describe('Optimiser');

export const RewardSpecSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .describe(
      'Registered reward function name (math, format, overlong, ocaml, ksat, custom, python_abduction, python_deduction).',
    ),
  weight: z.number().default(1).describe('Weight of this reward in the total.'),
  options: z.record(z.string(), z.unknown()).default({}).describe('Options of this reward function.'),
  weight_end: z
    .number()
    .optional()
    .describe(
      'Curriculum: the weight reached at phase_end, linearly from weight at phase_start (unset: the weight stays constant).',
    ),
  phase_start: z
    .number()
    .min(0)
    .max(1)
    .default(0)
    .describe('Curriculum: fraction of the run where the weight starts moving from weight to weight_end.'),
  phase_end: z
    .number()
    .min(0)
    .max(1)
    .default(1)
    .describe('Curriculum: fraction of the run where the weight reaches weight_end.'),
  timeout_ms: int(
    10000,
    1,
    'Time limit of one call of this reward, in milliseconds; a call past it scores failure_score and is counted.',
  ),
  failure_score: num(0, 'Score of a call that throws or times out (counted in rewards/<name>/failures).'),
});

export const DataSchema = z
  .strictObject({
    dataset: z
      .string()
      .min(1)
      .default('demo-arithmetic')
      .describe(
        'Dataset: a built-in name (demo-arithmetic, gsm8k-sample, ksat, ocaml, python-abduction, python-deduction), a Hub dataset id, or an uploaded file name.',
      ),
    config: z.string().default('default').describe('Hub dataset config.'),
    split: z.string().default('train').describe('Split used for training.'),
    eval_split: z.string().default('test').describe('Split used for evaluation.'),
    prompt_field: z.string().default('question').describe('Column holding the prompt.'),
    answer_field: z.string().default('answer').describe('Column holding the gold answer (or tests).'),
    template: z.string().default('plain').describe('Prompt template preset.'),
    system_prompt: z.string().default('').describe('System prompt placed before each question.'),
    num_few_shot: int(0, 0, 'Worked examples placed before each question.', 64),
    chat_template_kwargs: z
      .record(z.string(), z.unknown())
      .default({})
      .describe(
        'Extra arguments of the model\'s chat template, as TRL\'s chat_template_kwargs (e.g. {"enable_thinking": false} for Qwen3).',
      ),
    shuffle_seed: int(0, 0, 'Seed of the shuffle of the training split.', SEED_MAX),
  })
  .describe('Data');

export const RunSchema = z
  .strictObject({
    mode: z
      .enum(['grpo', 'sft', 'sft_then_grpo'])
      .default('grpo')
      .describe('Training mode: GRPO, supervised fine-tuning on reference answers, or SFT then GRPO.'),
    max_steps: int(
      50,
      1,
      'Training steps of the run (GRPO steps; SFT steps in mode sft). Each GRPO step generates one batch and makes num_iterations optimiser updates on it.',
    ),
    sft_steps: int(0, 0, 'SFT steps before GRPO when mode is sft_then_grpo.'),
    prompts_per_step: int(2, 1, 'Prompts sampled per step; each gets num_generations completions.', 1_024),
    micro_batch_size: int(4, 1, 'Sequences per forward/backward pass; gradients accumulate over the batch.', 1_024),
    eval_steps: int(0, 0, 'Evaluate every this many steps (0: only at the start and end).'),
    eval_examples: int(32, 1, 'Held-out examples per evaluation.', 100_000),
    eval_reward: z
      .string()
      .default('')
      .describe('Reward whose score decides whether an eval answer is correct (empty: the first reward).'),
    eval_threshold: z.number().default(1).describe('An eval answer is correct when that reward scores at least this.'),
    eval_num_samples: int(
      1,
      1,
      'k: completions per eval example; 1 decodes greedily, more samples at the training temperature and report pass@1 over k.',
      256,
    ),
    save_steps: int(10, 0, 'Save a checkpoint every this many steps (0: never).'),
    save_total_limit: int(3, 1, 'Checkpoints kept per run (the newest ones, plus the best by eval accuracy).', 1_000),
    completions_log_size: int(
      2000,
      0,
      'Completions kept in the log (prompt, completion, rewards, advantage); the oldest are dropped.',
    ),
    step_view_logprobs: z
      .boolean()
      .default(true)
      .describe(
        'Score one group of each GRPO step (its first group whose rewards differ) again before and after the update, without gradients, so the Run tab shows how much more or less likely each answer became: two forward passes of one group per step.',
      ),
    seed: int(0, 0, 'Seed for LoRA initialisation, sampling and data order.', SEED_MAX),
    fused_kernels: z
      .boolean()
      .default(true)
      .describe(
        'Use the fused WebGPU kernels (decode step, training kernels, AdamW) and the chunked LM head; off: the op-by-op tfjs path they are checked against.',
      ),
    gradient_checkpointing: z
      .boolean()
      .default(false)
      .describe(
        'Recompute each layer in the backward pass instead of keeping its activations (as gradient_checkpointing in transformers): much less memory for about a third more compute.',
      ),
  })
  .describe('Run');

export const RunConfigSchema = z
  .strictObject({
    model: ModelSchema.prefault({}),
    lora: LoraSchema.prefault({}),
    sampling: SamplingSchema.prefault({}),
    grpo: GrpoSchema.prefault({}),
    optim: OptimSchema.prefault({}),
    data: DataSchema.prefault({}),
    rewards: z
      .array(RewardSpecSchema)
      .prefault([{ name: 'math', weight: 1, options: {} }])
      .describe('Reward functions and their weights (none by default when environment.envs is given).'),
    run: RunSchema.prefault({}),
    environment: EnvironmentSchema.prefault({}),
  })
  .superRefine(checkRunConfig);

export type RunConfig = z.infer<typeof RunConfigSchema>;

export class ConfigError extends Error {
  readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid run configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses and validates a configuration (partial input is completed with defaults). */
export function parseRunConfig(input: unknown): RunConfig {
  const r = RunConfigSchema.safeParse(environmentDefaults(upgradeLegacyConfig(input ?? {})));
  if (r.success) return r.data;
  throw new ConfigError(formatIssues(RunConfigSchema, r.error.issues));
}

export function defaultRunConfig(): RunConfig {
  return parseRunConfig({});
}
