// `webgrpo bench-gpu` (`npm run bench:gpu`): the whole GPU benchmark in one go, for a machine with a GPU
// and no network (the app is built locally; Chromium or Chrome must be installed). Runs `bench --browser`
// on Qwen2.5-0.5B's shape (all 24 layers, the bench's full work: 8 x 128 + 256 decode, a GRPO step of
// 8 x 384 tokens, LoRA r=16 on all seven projections, micro-batches as the `1h` preset's) with and without
// gradient checkpointing, for each
// weight storage the engine implements, and prints one JSON object: the runs beside the peer figures
// measured on one H100 for the same work.
import { parseOptions } from './args.ts';
import { benchInBrowser } from './bench-browser.ts';
import { ModelSchema } from '../engine/config.ts';
import { presetConfig } from '../engine/presets.ts';

const USAGE = 'Usage: webgrpo bench-gpu [--shape qwen2.5-0.5b] [--quick]';

/** Hugging Face transformers and PEFT on one H100, fp32, for the same work as the bench. */
export const PEER_FIGURES = {
  machine: 'one NVIDIA H100',
  hf_generate_fp32: { sequences: 8, prompt_tokens: 128, new_tokens: 256, tokens_per_s: 234 },
  peft_lora_r16_train_step_fp32: { rows: 8, tokens_per_row: 384, step_s: 0.213, peak_gpu_bytes: 17.3e9 },
};

export async function run(argv: string[]): Promise<number> {
  const { values: v } = parseOptions(argv, { shape: { type: 'string' }, quick: { type: 'boolean' } }, USAGE);
  const shape = v.shape ?? 'qwen2.5-0.5b';
  const dtypes = ModelSchema.shape.weight_dtype.unwrap().options as readonly string[];
  const log = (m: string) => process.stderr.write(`${m}\n`);
  const runs: unknown[] = [];
  for (const weightDtype of dtypes)
    for (const checkpoint of [false, true]) {
      log(`bench: ${shape}, ${weightDtype} weights, gradient checkpointing ${checkpoint ? 'on' : 'off'}...`);
      const overrides = {
        weightDtype,
        train: { microBatch: presetConfig('1h').run.micro_batch_size },
        ...(checkpoint ? { checkpoint: true } : {}),
        // --quick: a smoke test of the script itself (a few tokens, two training rows)
        ...(v.quick ? { decode: { newTokens: 4, promptTokens: 16 }, train: { rows: 2, microBatch: 1 } } : {}),
      };
      runs.push(await benchInBrowser(shape, overrides, log));
    }
  process.stdout.write(`${JSON.stringify({ shape, runs, peers: PEER_FIGURES }, null, 2)}\n`);
  return 0;
}
