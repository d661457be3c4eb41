// `webgrpo bench [--json] [--shape qwen2.5-0.5b|demo] [--backend webgpu|wasm|cpu] [--browser] [--no-fused] ...`
// (also `npm run bench -- ...`): decode tokens/s and one GRPO training step's time and peak memory, with
// random weights. In Node the WebGPU backend comes from the `webgpu` package (Dawn) and needs a GPU driver;
// without one, use --backend wasm, or --browser (headless Chromium's WebGPU). --no-fused runs the
// op-by-op reference path instead of the fused WebGPU kernels (src/engine/kernels), to compare them;
// --kernels tiled|tfjs forces the training pass's kernel family (by default: tiled on a software adapter);
// --layers N keeps the shape but with N layers (the memory of the rest, on a machine too small for all);
// --checkpoint trains with gradient checkpointing (each layer recomputed in the backward pass);
// --weight-dtype stored makes the random weights bf16 kept 16-bit on the GPU (model.weight_dtype "stored"
// of a bf16 checkpoint), f32 (the default) keeps them f32.
// --train-prompt-tokens / --train-completion-tokens / --train-rows / --micro-batch shrink the training step
// (never its layers).
import { parseOptions, UsageError } from './args.ts';
import { initBackend, type BackendName } from '../engine/backend.ts';
import { runBench } from '../engine/bench/run.ts';
import type { WeightDtype } from '../engine/model/weights.ts';
import { benchInBrowser } from './bench-browser.ts';

const USAGE =
  'Usage: webgrpo bench [--json] [--shape qwen2.5-0.5b|demo] [--backend webgpu|wasm|cpu] [--browser] ' +
  '[--no-fused] [--kernels tiled|tfjs] [--layers N] [--checkpoint] [--new-tokens N] [--prompt-tokens N] ' +
  '[--seqs N] [--train-rows N] [--micro-batch N] [--train-prompt-tokens N] [--train-completion-tokens N] ' +
  '[--weight-dtype stored|f32]';

function positive(flag: string, s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} ${s}: expected a positive integer`);
  return n;
}

export async function run(argv: string[]): Promise<number> {
  const { values: v } = parseOptions(
    argv,
    {
      json: { type: 'boolean' },
      shape: { type: 'string' },
      backend: { type: 'string' },
      'new-tokens': { type: 'string' },
      'prompt-tokens': { type: 'string' },
      seqs: { type: 'string' },
      'train-rows': { type: 'string' },
      'micro-batch': { type: 'string' },
      'train-prompt-tokens': { type: 'string' },
      'train-completion-tokens': { type: 'string' },
      browser: { type: 'boolean' },
      'no-fused': { type: 'boolean' },
      kernels: { type: 'string' },
      layers: { type: 'string' },
      checkpoint: { type: 'boolean' },
      'weight-dtype': { type: 'string' },
    },
    USAGE,
  );
  const backend = (v.backend ?? 'webgpu') as BackendName;
  if (!['webgpu', 'wasm', 'cpu'].includes(backend))
    throw new UsageError(`--backend ${backend}: choose webgpu, wasm or cpu`);
  if (v.kernels !== undefined && !['tiled', 'tfjs'].includes(v.kernels))
    throw new UsageError(`--kernels ${v.kernels}: choose tiled or tfjs`);
  const wd = v['weight-dtype'];
  if (wd !== undefined && wd !== 'stored' && wd !== 'f32')
    throw new UsageError(`--weight-dtype ${wd}: choose stored (bf16 weights kept 16-bit) or f32`);
  const int = (s?: string, flag = '') => (s === undefined ? undefined : positive(flag, s));
  const strip = <T extends object>(o: T) =>
    Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as Partial<T>;
  const overrides = {
    decode: strip({
      newTokens: int(v['new-tokens'], '--new-tokens'),
      promptTokens: int(v['prompt-tokens'], '--prompt-tokens'),
      seqs: int(v.seqs, '--seqs'),
    }),
    train: strip({
      rows: int(v['train-rows'], '--train-rows'),
      microBatch: int(v['micro-batch'], '--micro-batch'),
      promptTokens: int(v['train-prompt-tokens'], '--train-prompt-tokens'),
      completionTokens: int(v['train-completion-tokens'], '--train-completion-tokens'),
    }),
    fused: !v['no-fused'],
    ...(v.kernels ? { tiled: v.kernels === 'tiled' } : {}),
    ...(v.layers ? { layers: positive('--layers', v.layers) } : {}),
    ...(v.checkpoint ? { checkpoint: true } : {}),
    ...(wd ? { weightDtype: wd as WeightDtype } : {}),
  };
  const log = v.json ? () => {} : (m: string) => process.stderr.write(`${m}\n`);
  const shape = v.shape ?? 'qwen2.5-0.5b';
  let result: unknown;
  if (v.browser) result = await benchInBrowser(shape, overrides, log);
  else {
    await initBackend(backend);
    result = await runBench(shape, overrides, log);
  }
  process.stdout.write(v.json ? `${JSON.stringify(result)}\n` : `${JSON.stringify(result, null, 2)}\n`);
  return 0;
}
