// `webgrpo bench [--json] [--shape qwen2.5-0.5b|demo] [--backend webgpu|wasm|cpu] [--new-tokens N] [--train-rows N]`
// (also `npm run bench -- ...`): decode tokens/s and one GRPO training step's time and peak memory, with
// random weights. In Node the WebGPU backend comes from the `webgpu` package (Dawn) and needs a GPU driver;
// without one, use --backend wasm.
import { parseOptions, UsageError } from './args.ts';
import { initBackend, type BackendName } from '../engine/backend.ts';
import { runBench } from '../engine/bench/run.ts';

const USAGE = 'Usage: webgrpo bench [--json] [--shape qwen2.5-0.5b|demo] [--backend webgpu|wasm|cpu] [--new-tokens N] [--prompt-tokens N] [--seqs N] [--train-rows N] [--micro-batch N]';

export async function run(argv: string[]): Promise<number> {
  const { values: v } = parseOptions(argv, {
    json: { type: 'boolean' }, shape: { type: 'string' }, backend: { type: 'string' }, 'new-tokens': { type: 'string' },
    'prompt-tokens': { type: 'string' }, seqs: { type: 'string' }, 'train-rows': { type: 'string' }, 'micro-batch': { type: 'string' },
  }, USAGE);
  const backend = (v.backend ?? 'webgpu') as BackendName;
  if (!['webgpu', 'wasm', 'cpu'].includes(backend)) throw new UsageError(`--backend ${backend}: choose webgpu, wasm or cpu`);
  const int = (s?: string) => (s === undefined ? undefined : Number.parseInt(s, 10));
  await initBackend(backend);
  const strip = <T extends object>(o: T) => Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as Partial<T>;
  const result = await runBench(v.shape ?? 'qwen2.5-0.5b', {
    decode: strip({ newTokens: int(v['new-tokens']), promptTokens: int(v['prompt-tokens']), seqs: int(v.seqs) }),
    train: strip({ rows: int(v['train-rows']), microBatch: int(v['micro-batch']) }),
  }, v.json ? undefined : (m) => process.stderr.write(`${m}\n`));
  process.stdout.write(v.json ? `${JSON.stringify(result)}\n` : `${JSON.stringify(result, null, 2)}\n`);
  return 0;
}
