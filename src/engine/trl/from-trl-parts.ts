// The parts of the TRL import that are more than a rename: step units and batch sizes, the schedule, the
// LoRA arguments and the reward functions, and what happens instead for what we do not model.
import { LORA_TARGETS } from '../config.ts';
import { TrlConfigError, type Mapping } from './mapping.ts';

const SCHEDULES = ['constant', 'constant_with_warmup', 'linear', 'cosine', 'cosine_with_min_lr'];

export function mapSchedule(m: Mapping): void {
  const type = String(m.get('lr_scheduler_type'));
  const known = SCHEDULES.includes(type);
  m.row(
    'lr_scheduler_type',
    'optim.lr_scheduler_type',
    known ? 'mapped' : 'unsupported',
    known ? '' : `${type} is not implemented; linear is used`,
    known ? type : 'linear',
    true,
  );
  const kw = (m.get('lr_scheduler_kwargs') ?? {}) as Record<string, unknown>;
  if (m.has('lr_scheduler_kwargs')) {
    const lr = Number(m.get('learning_rate'));
    if (typeof kw.min_lr_rate === 'number')
      m.row('lr_scheduler_kwargs', 'optim.lr_scheduler_kwargs', 'mapped', '', { min_lr_rate: kw.min_lr_rate });
    else if (typeof kw.min_lr === 'number')
      m.row(
        'lr_scheduler_kwargs',
        'optim.lr_scheduler_kwargs',
        'changed',
        `min_lr ${kw.min_lr} is given as min_lr_rate = min_lr / learning_rate`,
        { min_lr_rate: kw.min_lr / lr },
      );
    else
      m.row(
        'lr_scheduler_kwargs',
        null,
        'unsupported',
        'only min_lr_rate (or min_lr) of cosine_with_min_lr is read; the rest is ignored',
      );
  }
  let warm = Number(m.get('warmup_ratio') ?? 0);
  if (m.has('warmup_steps')) {
    const ws = Number(m.input.warmup_steps);
    const total = Number(m.get('max_steps'));
    warm = ws < 1 ? ws : total > 0 ? Math.min(1, ws / total) : 0;
    m.row(
      'warmup_steps',
      'optim.warmup_ratio',
      'changed',
      `as warmup_ratio ${warm} of the updates (the run rounds ceil(ratio x updates))`,
      warm,
    );
  }
  if (type === 'constant' && warm > 0) {
    m.row(
      'warmup_ratio',
      'optim.warmup_ratio',
      'changed',
      "TRL's constant schedule ignores the warm-up, so it is 0 here",
      0,
    );
    m.done.add('warmup_steps');
  } else if (!m.has('warmup_steps')) m.row('warmup_ratio', 'optim.warmup_ratio', 'mapped', '', warm);
}

/**
 * TRL counts optimiser updates; our step is one generation batch, trained num_iterations times (each
 * time on the whole batch). A TRL generation batch is per_device_train_batch_size x processes x
 * steps_per_generation completions (or generation_batch_size), so our prompts_per_step is that over
 * num_generations, and each of our steps is num_iterations x steps_per_generation / gradient_accumulation_steps
 * TRL updates.
 */
export function mapBatch(m: Mapping, n: number): void {
  const B = Number(m.get('per_device_train_batch_size')),
    GA = Number(m.get('gradient_accumulation_steps')),
    G = Number(m.get('num_generations')),
    mu = Number(m.get('num_iterations'));
  const S = m.has('steps_per_generation')
    ? Number(m.input.steps_per_generation)
    : m.has('generation_batch_size')
      ? Number(m.input.generation_batch_size) / (B * n)
      : GA;
  const gen = m.has('generation_batch_size') ? Number(m.input.generation_batch_size) : B * n * S;
  if (gen % G !== 0 || !Number.isInteger(S))
    throw new TrlConfigError([
      `generation batch ${gen} (per_device_train_batch_size ${B} x ${n} processes x steps_per_generation ${S}) must be a multiple of num_generations ${G}, as TRL requires`,
    ]);
  const P = gen / G;
  m.row(
    'per_device_train_batch_size',
    'run.micro_batch_size',
    n === 1 ? 'mapped' : 'changed',
    n === 1
      ? 'sequences per forward/backward pass'
      : `per process; the browser runs the ${n} processes' micro-batches one after another`,
    B,
    true,
  );
  const same = S === GA;
  const gaNote = same
    ? `one update per generation batch of ${gen} completions (${P} prompts x ${G}), as each of our steps`
    : `TRL makes ${S / GA} updates per generation batch, each on a part of it; here each of the num_iterations updates uses the whole batch of ${P} prompts x ${G}`;
  m.row('gradient_accumulation_steps', null, same ? 'mapped' : 'changed', gaNote, GA, true);
  for (const k of ['steps_per_generation', 'generation_batch_size'])
    if (m.has(k))
      m.row(
        k,
        'run.prompts_per_step',
        same ? 'mapped' : 'changed',
        `run.prompts_per_step = generation batch ${gen} / num_generations ${G}`,
        P,
      );
  m.set('run.prompts_per_step', P);
  const perStep = (mu * S) / GA; // TRL updates per our step
  const toSteps = (x: number) => Math.max(1, Math.ceil(x / perStep));
  const T = Number(m.get('max_steps'));
  if (T > 0) {
    const ours = toSteps(T);
    const exact = ours * perStep === T;
    m.row(
      'max_steps',
      'run.max_steps',
      'changed',
      `TRL counts optimiser updates, we count generation batches: ${T} updates / ${perStep} per step${exact ? '' : ', rounded up'}`,
      ours,
      true,
    );
  } else {
    m.row(
      'max_steps',
      'run.max_steps',
      'unsupported',
      'TRL trains num_train_epochs epochs when max_steps is -1; set max_steps (our default, 50 steps, is used)',
      null,
      true,
    );
    m.done.add('num_train_epochs');
  }
  if (m.has('num_train_epochs') && !m.done.has('num_train_epochs'))
    m.row('num_train_epochs', null, 'unsupported', 'max_steps decides the length of the run');
  m.row(
    'save_steps',
    'run.save_steps',
    'changed',
    `in our steps (${perStep} TRL updates each)`,
    toSteps(Number(m.get('save_steps'))),
  );
  if (m.has('save_total_limit')) m.row('save_total_limit', 'run.save_total_limit', 'mapped', '');
  if (m.has('eval_steps'))
    m.row(
      'eval_steps',
      'run.eval_steps',
      'changed',
      `in our steps; our evaluation is accuracy on held-out rows, not TRL's eval loss`,
      toSteps(Number(m.input.eval_steps)),
    );
}

/** PEFT's resolution of target_modules: a list of name suffixes, "all-linear", or a regex on full names. */
export function resolveTargets(t: unknown): { ours: string[]; others: string[] } {
  // full module names of one layer, as PEFT matches a regex against them (re.fullmatch)
  const names = LORA_TARGETS.map(
    (p) => `model.layers.0.${p.endsWith('_proj') && 'qkvo'.includes(p[0]) ? 'self_attn' : 'mlp'}.${p}`,
  );
  if (t === 'all-linear') return { ours: [...LORA_TARGETS], others: [] };
  if (typeof t === 'string') {
    const re = new RegExp(`^(?:${t})$`);
    return { ours: LORA_TARGETS.filter((_, i) => re.test(names[i])), others: [] };
  }
  const list = Array.isArray(t) ? t.map(String) : [];
  return {
    ours: LORA_TARGETS.filter((p) => list.some((x) => x === p || p.endsWith(`.${x}`))),
    others: list.filter((x) => !(LORA_TARGETS as readonly string[]).includes(x)),
  };
}

export function mapLora(m: Mapping): void {
  if (m.has('use_peft') && m.input.use_peft === false)
    m.row(
      'use_peft',
      null,
      'changed',
      'webgrpo always trains a LoRA adapter; with use_peft false TRL would train every weight',
    );
  else if (m.has('use_peft')) m.row('use_peft', null, 'mapped', '');
  const pick = (a: string, b: string) => (m.has(a) ? a : b);
  m.row(pick('r', 'lora_r'), 'lora.r', 'mapped', '', m.get(pick('r', 'lora_r')), true);
  m.row(pick('lora_alpha', 'lora_alpha'), 'lora.alpha', 'mapped', '', m.get('lora_alpha'), true);
  m.row('lora_dropout', 'lora.dropout', 'mapped', '', m.get('lora_dropout'), true);
  const tk = pick('target_modules', 'lora_target_modules');
  if (m.has(tk)) {
    const { ours, others } = resolveTargets(m.input[tk]);
    if (!ours.length)
      throw new TrlConfigError([`${tk}: ${JSON.stringify(m.input[tk])} matches none of ${LORA_TARGETS.join(', ')}`]);
    const note = others.length
      ? `${others.join(', ')} cannot get an adapter here and are left out`
      : typeof m.input[tk] === 'string'
        ? `resolved as PEFT does: ${ours.join(', ')}`
        : '';
    m.row(tk, 'lora.target_modules', others.length ? 'changed' : 'mapped', note, ours);
  }
  if (m.has('use_rslora')) m.row('use_rslora', 'lora.use_rslora', 'mapped', '');
  for (const k of ['lora_task_type', 'task_type'])
    if (m.has(k)) m.row(k, null, m.input[k] === 'CAUSAL_LM' ? 'mapped' : 'unsupported', 'causal language modelling');
  const refuse: Record<string, [unknown, string]> = {
    use_dora: [false, 'DoRA is not implemented; a plain LoRA adapter is trained'],
    bias: ['none', 'LoRA biases are not trained here; bias "none" is used'],
    modules_to_save: [null, 'whole modules are not trained or saved here; only the LoRA adapter is'],
    lora_modules_to_save: [null, 'whole modules are not trained or saved here; only the LoRA adapter is'],
    fan_in_fan_out: [false, 'only nn.Linear weights (fan_in_fan_out false) exist in the supported models'],
    alpha_pattern: [null, 'one alpha for every module here; lora.alpha is used for all'],
    rank_pattern: [null, 'one rank for every module here; lora.r is used for all'],
  };
  for (const [k, [ok, note]] of Object.entries(refuse))
    if (m.has(k)) {
      const v = m.input[k];
      const fine =
        v === ok ||
        (Array.isArray(v) && !v.length) ||
        (typeof v === 'object' && v !== null && !Array.isArray(v) && !Object.keys(v).length);
      m.row(k, null, fine ? 'mapped' : 'unsupported', fine ? '' : note);
    }
}

const TRL_REWARDS: Record<string, [string, Record<string, unknown>, string]> = {
  accuracy_reward: [
    'math',
    {},
    "our math grader (the final number against the answer column) instead of TRL's math-verify",
  ],
  reasoning_accuracy_reward: ['math', {}, "our math grader on the text after </think>, instead of TRL's math-verify"],
  think_format_reward: ['format', { style: 'think' }, 'format with style think: <think>...</think> then an answer'],
};
const OURS = ['math', 'format', 'overlong', 'ksat', 'ocaml', 'custom'];

export function mapRewards(m: Mapping): void {
  const funcs = m.has('reward_funcs') ? (m.input.reward_funcs as unknown[]).map(String) : [];
  const weights = m.has('reward_weights') ? (m.input.reward_weights as unknown[]).map(Number) : funcs.map(() => 1);
  if (weights.length !== funcs.length && funcs.length)
    throw new TrlConfigError([
      `reward_weights has ${weights.length} weights for ${funcs.length} reward_funcs; TRL needs one per function`,
    ]);
  const specs = funcs.map((f, i) => {
    const last = f.split('.').at(-1)!.replace(/_\d+$/, ''); // rewards.format_2: our second format reward
    if (OURS.includes(last)) return { name: last, weight: weights[i], options: {}, note: '' }; // one of ours, e.g. from our own export
    const t = TRL_REWARDS[last];
    return t
      ? { name: t[0], weight: weights[i], options: t[1], note: t[2] }
      : {
          name: 'math',
          weight: weights[i],
          options: {},
          note: `${f} is Python code this app cannot run; math is used in its place`,
        };
  });
  if (funcs.length) {
    const note = specs
      .map((s, i) => (s.note ? `${funcs[i]}: ${s.note}` : ''))
      .filter(Boolean)
      .join('; ');
    m.row(
      'reward_funcs',
      'rewards',
      note ? 'changed' : 'mapped',
      note,
      specs.map(({ note: _n, ...s }) => s),
    );
    if (m.has('reward_weights')) m.row('reward_weights', null, 'mapped', 'each reward keeps its weight exactly');
  } else if (m.has('reward_weights'))
    throw new TrlConfigError(['reward_weights without reward_funcs: name the reward functions']);
  if (m.has('reward_model_name_or_path'))
    m.row(
      'reward_model_name_or_path',
      null,
      'unsupported',
      'reward models are not run in the browser; only reward functions score',
    );
}

const NOTES: [RegExp, string][] = [
  [/^vllm_|^use_vllm$/, "generation uses webgrpo's own KV-cache sampler on the browser's GPU"],
  [/^(bf16|fp16|tf32|dtype|torch_dtype|bf16_full_eval|fp16_full_eval)$/, 'weights and training are f32 in the browser'],
  [/^(output_dir|overwrite_output_dir|logging_dir|run_name)$/, 'webgrpo train writes where --out says'],
  [
    /^(logging_steps|logging_strategy|logging_first_step|report_to|log_level|disable_tqdm|log_completions|num_completions_to_print)$/,
    'every step is logged to metrics.jsonl and the app charts',
  ],
  [
    /^(deepspeed|fsdp|fsdp_config|ddp_|local_rank|parallelism_config|accelerator_config)/,
    'one browser GPU; export the run to TRL to use several',
  ],
  [/^(push_to_hub|hub_)/, 'export the adapter (PEFT folder) and upload it yourself'],
  [/^(load_in_8bit|load_in_4bit|bnb_)/, 'no quantised base weights; they are f32'],
  [
    /^(eval_strategy|per_device_eval_batch_size|do_eval|eval_)/,
    "evaluation is accuracy on run.eval_examples held-out rows (run.eval_steps), not TRL's eval loss",
  ],
  [/^(generation_kwargs)$/, 'only the sampling fields above are read'],
];

export function unsupportedNote(k: string): string {
  return NOTES.find(([re]) => re.test(k))?.[1] ?? 'no equivalent in webgrpo; ignored';
}
