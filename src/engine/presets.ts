// Named starting points for a run, shared by the app's preset menu, `webgrpo train --preset NAME` and links.
// Each is a recipe (data: the model, LoRA rank and the sections it sets) made a partial config by one builder,
// `preset`, and completed with the schema's defaults.
//
//   const cfg = presetConfig('demo')
import { parseRunConfig, type RunConfig } from './config.ts';

export interface Preset {
  name: string;
  title: string;
  description: string;
  config: Record<string, unknown>;
}

type Section = Record<string, unknown>;

/** A preset as data: its model, LoRA rank and the config sections it sets (the rest are the schema's defaults). */
interface Recipe {
  name: string;
  title: string;
  description: string;
  model: string;
  /** LoRA rank; alpha is twice the rank in every preset (a LoRA scale of 2). */
  rank: number;
  sampling: Section;
  grpo: Section;
  optim: Section;
  data: Section;
  rewards: Section[];
  /** The run section; save_steps is 10 unless it says otherwise. */
  run: Section;
  /** run.gradient_checkpointing: the presets of real-size models recompute each layer in the backward pass. */
  checkpointing?: boolean;
  environment?: Section;
}

/** The one builder: a recipe as the partial config the schema completes. */
function preset({ name, title, description, model, rank, checkpointing, run, ...sections }: Recipe): Preset {
  const lora = { r: rank, alpha: 2 * rank };
  const runs = { save_steps: 10, ...run, ...(checkpointing ? { gradient_checkpointing: true } : {}) };
  return { name, title, description, config: { model: { id: model }, lora, ...sections, run: runs } };
}

/** A reward or an environment of the run: its name, weight and options. */
const weighted = (name: string, weight = 1, options: Section = {}) => ({ name, weight, options });

/** GSM8K with boxed answers: correctness, and a small weight on the form the math reward reads best. */
const BOXED_MATH = [weighted('math'), weighted('format', 0.1)];
const GSM8K_HUB = { dataset: 'openai/gsm8k', config: 'main', template: 'gsm8k-boxed' };
/** DAPO's options: clip-higher, dynamic sampling and overlong filtering, with its token-level loss. */
const DAPO = { loss_type: 'dapo', epsilon_high: 0.28, dynamic_sampling: true, mask_truncated_completions: true };
const cosineToTenth = (learning_rate: number, warmup_ratio: number) => ({
  learning_rate,
  lr_scheduler_type: 'cosine_with_min_lr',
  lr_scheduler_kwargs: { min_lr_rate: 0.1 },
  warmup_ratio,
});
const QWEN_05B = 'Qwen/Qwen2.5-0.5B-Instruct',
  QWEN_15B = 'Qwen/Qwen2.5-1.5B-Instruct';

export const PRESETS: Preset[] = [
  preset({
    name: 'demo',
    title: 'Demo (about a minute, offline)',
    description:
      'The bundled tiny model, which puts a stray minus sign before most of its answers, learns with GRPO and the math reward to answer one- and two-digit additions and subtractions right: accuracy climbs within 30 steps. Runs without the network, even on a CPU.',
    model: 'demo',
    rank: 8,
    sampling: { num_generations: 8, max_prompt_length: 64, max_completion_length: 6, temperature: 1 },
    grpo: { loss_type: 'dapo', beta: 0.04, epsilon: 0.2, epsilon_high: 0.28 },
    optim: { learning_rate: 2e-3, max_grad_norm: 1 },
    data: { dataset: 'demo-arithmetic', template: 'plain', prompt_field: 'question', answer_field: 'answer' },
    rewards: [weighted('math')],
    run: { max_steps: 30, prompts_per_step: 8, micro_batch_size: 64, eval_steps: 15, eval_examples: 100 },
  }),
  preset({
    name: '1h',
    title: 'Qwen2.5-0.5B on GSM8K, 60 steps',
    description:
      "Qwen2.5-0.5B-Instruct, GSM8K (bundled sample), boxed answers, DAPO loss, 60 steps of 4 prompts x 8 completions. Its duration depends on the GPU: the Model tab predicts it on yours from a few seconds of the real kernels (the README's real-size section has this engine's measured figures).",
    model: QWEN_05B,
    rank: 16,
    sampling: { num_generations: 8, max_prompt_length: 256, max_completion_length: 256, temperature: 1 },
    grpo: { loss_type: 'dapo', epsilon_high: 0.28 },
    optim: { learning_rate: 1e-5, lr_scheduler_type: 'constant_with_warmup', warmup_ratio: 0.05 },
    data: { dataset: 'gsm8k-sample', template: 'gsm8k-boxed' },
    rewards: BOXED_MATH,
    run: { max_steps: 60, prompts_per_step: 4, micro_batch_size: 4, eval_steps: 20, eval_examples: 50 },
  }),
  preset({
    name: '3h',
    title: 'Qwen2.5-1.5B on GSM8K, 150 steps',
    description:
      'Qwen2.5-1.5B-Instruct, GSM8K from the Hub, boxed answers, DAPO options, 150 steps with gradient checkpointing. Its duration depends on the GPU: the Model tab predicts it on yours from a few seconds of the real kernels.',
    model: QWEN_15B,
    rank: 16,
    sampling: { num_generations: 8, max_prompt_length: 256, max_completion_length: 384 },
    grpo: DAPO,
    optim: cosineToTenth(5e-6, 0.05),
    data: GSM8K_HUB,
    rewards: BOXED_MATH,
    run: { max_steps: 150, prompts_per_step: 4, micro_batch_size: 2, eval_steps: 25, eval_examples: 100 },
    checkpointing: true,
  }),
  preset({
    name: 'full',
    title: 'Full: Qwen2.5-1.5B, all of GSM8K',
    description: 'Qwen2.5-1.5B-Instruct on the whole GSM8K train split for one epoch; a long run for a strong GPU.',
    model: QWEN_15B,
    rank: 32,
    sampling: { num_generations: 8, max_prompt_length: 256, max_completion_length: 512 },
    grpo: DAPO,
    optim: cosineToTenth(5e-6, 0.03),
    data: GSM8K_HUB,
    rewards: BOXED_MATH,
    run: {
      max_steps: 934,
      prompts_per_step: 8,
      micro_batch_size: 2,
      eval_steps: 100,
      eval_examples: 200,
      save_steps: 25,
    },
    checkpointing: true,
  }),
  preset({
    name: 'math500',
    title: 'MATH-500 with VinePPO: Qwen2.5-0.5B, answers graded by meaning',
    description:
      "HuggingFaceH4/MATH-500 from the Hub (competition problems with LaTeX answers: fractions, radicals, intervals, sets, matrices), boxed answers graded by meaning, VinePPO credit assignment with the paper's settings where they apply (8 samples per prompt at temperature 0.6, K = 9 rollouts per step, steps cut at line breaks, KL 1e-4, clip 0.2, 1,024 new tokens); 8 prompts a step instead of 64 and a LoRA learning rate, so that it fits a browser. MATH-500 has only a test split: 100 problems are held out for evaluation.",
    model: QWEN_05B,
    rank: 16,
    sampling: { num_generations: 8, max_prompt_length: 512, max_completion_length: 1024, temperature: 0.6 },
    grpo: { advantage_estimator: 'vineppo', vineppo_k: 9, beta: 1e-4, epsilon: 0.2 },
    optim: { learning_rate: 1e-5, lr_scheduler_type: 'constant', warmup_ratio: 0 },
    data: {
      dataset: 'HuggingFaceH4/MATH-500',
      config: 'default',
      split: 'test',
      eval_split: '',
      prompt_field: 'problem',
      answer_field: 'answer',
      template: 'math-boxed',
    },
    rewards: [weighted('math', 1, { mode: 'auto' })],
    run: { max_steps: 100, prompts_per_step: 8, micro_batch_size: 2, eval_steps: 25, eval_examples: 100 },
    checkpointing: true,
  }),
  preset({
    name: 'agent',
    title: 'Agent recipe: SFT on k-SAT and Python tasks, then PPO on grid_world and crafting',
    description:
      "Qwen2.5-0.5B-Instruct: 40 SFT steps on the reference answers of k-SAT, Python abduction and Python deduction (the agent-tasks dataset), then 60 PPO steps on multi-turn episodes of the grid_world and crafting environments (value head and GAE, each turn's reward on its last token), evaluated per environment on 16 held-out episodes each. Its duration depends on the GPU and has not been measured on one yet.",
    model: QWEN_05B,
    rank: 16,
    sampling: { num_generations: 4, max_prompt_length: 640, max_completion_length: 768, temperature: 1 },
    grpo: { advantage_estimator: 'ppo', loss_type: 'grpo', beta: 0 },
    optim: { learning_rate: 1e-5, lr_scheduler_type: 'constant_with_warmup', warmup_ratio: 0.05 },
    data: { dataset: 'agent-tasks', template: 'chat', prompt_field: 'prompt', answer_field: 'answer' },
    rewards: [],
    environment: {
      envs: [weighted('grid_world'), weighted('crafting')],
      max_turns: 8,
      max_turn_tokens: 48,
      eval_episodes: 16,
    },
    run: {
      mode: 'sft_then_grpo',
      sft_steps: 40,
      max_steps: 60,
      prompts_per_step: 2,
      micro_batch_size: 2,
      eval_steps: 20,
    },
    checkpointing: true,
  }),
];

export class UnknownPresetError extends Error {
  readonly name = 'UnknownPresetError';
}

export function presetConfig(name: string): RunConfig {
  const p = PRESETS.find((x) => x.name === name);
  if (!p) throw new UnknownPresetError(`no preset "${name}": choose one of ${PRESETS.map((x) => x.name).join(', ')}`);
  return parseRunConfig(p.config);
}
