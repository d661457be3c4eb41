// `webgrpo make-demo-model [--out public/models/demo] [--steps 800] [--negate-rate 0.65] [--seed 0]`
// (npm run make:demo-model) makes the bundled demo model with webgrpo's own SFT mode: a seeded tiny
// model (demo/base-model.ts) is fine-tuned with a full-rank LoRA on sloppy arithmetic data (demo-arithmetic's
// questions, a share of the answers written with the wrong sign), then the adapter is merged into the
// weights and the folder written. The model learns some arithmetic and the habit of a stray minus sign, so
// it is right only part of the time and GRPO with the math reward has something it can visibly fix within
// a few dozen steps. Deterministic on one backend.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseOptions, UsageError } from './args.ts';
import { nodeEnv } from './node-env.ts';
import { TrainingSession } from '../worker/session.ts';
import { CausalLM } from '../engine/model/model.ts';
import { dirSource } from '../engine/model/node-source.ts';
import { LoraAdapter } from '../engine/lora.ts';
import { weightsToSafetensors } from '../engine/model/save.ts';
import { baseModelFiles, DEMO_SPEC } from './demo/base-model.ts';
import type { TrainerEvent, EvalResult } from '../worker/protocol.ts';
import { ROOT } from './browser.ts';
import { arithmeticRows, arithmeticSplits } from '../data/arithmetic.ts';
import type { LoadDataOptions } from '../data/datasets.ts';

const USAGE =
  'Usage: webgrpo make-demo-model [--out DIR] [--steps N] [--negate-rate R] [--seed S] [--backend wasm|cpu]';

/** The SFT data: demo-arithmetic's questions with a share of the answers written with the wrong sign;
 * the evaluations logged during SFT score against demo-arithmetic's right answers. */
export const SFT_DATASET = 'demo-arithmetic-sloppy';

function sftData(negateRate: number): LoadDataOptions {
  return {
    provided: {
      [SFT_DATASET]: async () => ({ train: arithmeticRows(4000, 1, { negateRate }), test: arithmeticSplits().test }),
    },
  };
}

function writeFolder(dir: string, files: Record<string, unknown>): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, v] of Object.entries(files))
    fs.writeFileSync(path.join(dir, name), v instanceof Uint8Array ? v : `${JSON.stringify(v, null, 2)}\n`);
}

export function sftConfig(maxSteps: number, seed: number): Record<string, unknown> {
  return {
    model: { id: 'demo-base' },
    lora: {
      r: DEMO_SPEC.hidden,
      alpha: DEMO_SPEC.hidden,
      target_modules: ['q_proj', 'k_proj', 'v_proj', 'o_proj', 'gate_proj', 'up_proj', 'down_proj'],
    },
    sampling: { num_generations: 8, max_prompt_length: 64, max_completion_length: 6 },
    optim: { learning_rate: 3e-3, warmup_ratio: 0.02, adam_beta2: 0.99 },
    data: { dataset: SFT_DATASET, template: 'plain', prompt_field: 'question', answer_field: 'answer' },
    rewards: [{ name: 'math', weight: 1, options: {} }],
    run: {
      mode: 'sft',
      max_steps: maxSteps,
      prompts_per_step: 4,
      micro_batch_size: 32,
      eval_steps: 25,
      eval_examples: 100,
      save_steps: 0,
      seed,
    },
  };
}

export async function run(argv: string[]): Promise<number> {
  const { values: v } = parseOptions(
    argv,
    {
      out: { type: 'string' },
      steps: { type: 'string' },
      seed: { type: 'string' },
      'negate-rate': { type: 'string' },
      backend: { type: 'string' },
    },
    USAGE,
  );
  const out = path.resolve(v.out ?? path.join(ROOT, 'public', 'models', 'demo'));
  const steps = Number(v.steps ?? 800),
    seed = Number(v.seed ?? 0),
    negateRate = Number(v['negate-rate'] ?? 0.65);
  if (!(Number.isInteger(steps) && steps > 0) || !Number.isInteger(seed) || !(negateRate >= 0 && negateRate < 1))
    throw new UsageError(USAGE);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'webgrpo-demo-base-'));
  const files = baseModelFiles(seed);
  writeFolder(base, files);
  const session = new TrainingSession(nodeEnv(base, (v.backend ?? 'wasm') as 'wasm', sftData(negateRate)));
  const evals: EvalResult[] = [];
  const done = new Promise<void>((resolve, reject) =>
    session.on((e: TrainerEvent) => {
      if (e.kind === 'eval') {
        evals.push(e.result);
        process.stderr.write(`step ${e.result.step}: evaluation accuracy ${(100 * e.result.accuracy).toFixed(1)}%\n`);
      } else if (e.kind === 'metrics' && e.metrics.step % 25 === 0) {
        process.stderr.write(`step ${e.metrics.step}: loss ${e.metrics.values.loss?.toFixed(4)}\n`);
      } else if (e.kind === 'error') reject(new Error(`${e.error.name}: ${e.error.message}`));
      else if (e.kind === 'state' && ['done'].includes(e.status.state)) resolve();
    }),
  );
  await session.start(sftConfig(steps, seed));
  await done;
  const adapter = await session.exportAdapter();
  const model = await CausalLM.load(dirSource(base));
  const lora = LoraAdapter.fromPeft(model.spec, adapter.config, adapter.weights);
  const final = evals.at(-1);
  writeFolder(out, {
    ...Object.fromEntries(Object.entries(files).filter(([k]) => k !== 'model.safetensors')),
    'model.safetensors': await weightsToSafetensors(model.spec, model.weights, lora),
  });
  fs.writeFileSync(path.join(out, 'README.md'), modelCard(final, seed, steps, negateRate));
  lora.dispose();
  model.dispose();
  fs.rmSync(base, { recursive: true, force: true });
  process.stderr.write(
    `wrote ${out} (evaluation accuracy ${final ? (100 * final.accuracy).toFixed(1) : '?'}% after ${final?.step ?? '?'} SFT steps)\n`,
  );
  return 0;
}

function modelCard(e: EvalResult | undefined, seed: number, steps: number, negateRate: number): string {
  return `# webgrpo demo model

A tiny Qwen2-architecture model (${DEMO_SPEC.layers} layers, hidden ${DEMO_SPEC.hidden}, ${DEMO_SPEC.heads} heads, ${DEMO_SPEC.kvHeads} KV heads)
with a character-level tokenizer, made by \`npm run make:demo-model\` (seed ${seed}): seeded random weights,
then ${steps} steps of webgrpo's SFT mode with a full-rank LoRA, merged into the weights.

Its SFT data is sloppy on purpose: the questions of the \`demo-arithmetic\` dataset ("What is 37 + 8?"),
with ${Math.round(100 * negateRate)}% of the answers written with the wrong sign ("-45"). So the model has learnt some
arithmetic and a habit of a stray minus sign, and is right only part of the time: greedy accuracy on
demo-arithmetic's evaluation split ${e ? `${(100 * e.accuracy).toFixed(1)}% (n=${e.n})` : 'unknown'}. GRPO with the math reward
visibly removes the habit within a few dozen steps (the \`demo\` preset); improving the arithmetic itself
takes far longer.

It loads in Hugging Face transformers like any Qwen2 model.
`;
}
