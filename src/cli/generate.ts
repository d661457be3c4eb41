// `webgrpo generate --model DIR [--lora DIR] --ids "..." --max-new-tokens N [--greedy | --temperature T --seed S]`
// prints the generated token ids as JSON: one array per prompt row (per row and generation with
// --num-generations G > 1, prompt-major).
import { parseOptions, parseIdRows, loadModelAndLora, UsageError } from './args.ts';
import { sampleBatch } from '../engine/sampler.ts';
import { Rng } from '../engine/rng.ts';
import { chooseOps } from '../engine/ops/index.ts';

const USAGE =
  'Usage: webgrpo generate --model DIR [--lora DIR] --ids "1,2,3;4,5" --max-new-tokens N ' +
  '[--greedy | --temperature T --seed S] [--top-p P] [--top-k K] [--min-p P] [--repetition-penalty R] ' +
  '[--num-generations G] [--eos "2,3"] [--backend cpu|wasm|webgpu]';

export async function run(argv: string[]): Promise<number> {
  const { values: v } = parseOptions(
    argv,
    {
      model: { type: 'string' },
      lora: { type: 'string' },
      ids: { type: 'string' },
      'max-new-tokens': { type: 'string' },
      greedy: { type: 'boolean' },
      temperature: { type: 'string' },
      seed: { type: 'string' },
      'top-p': { type: 'string' },
      'top-k': { type: 'string' },
      'min-p': { type: 'string' },
      'repetition-penalty': { type: 'string' },
      'num-generations': { type: 'string' },
      eos: { type: 'string' },
      backend: { type: 'string' },
    },
    USAGE,
  );
  if (!v.model || !v.ids || !v['max-new-tokens']) throw new UsageError(USAGE);
  const num = (name: string, s: string | undefined, d: number) => {
    if (s === undefined) return d;
    const x = Number(s);
    if (!Number.isFinite(x)) throw new UsageError(`--${name}: "${s}" is not a number`);
    return x;
  };
  const prompts = parseIdRows(v.ids, '--ids');
  const { model, lora } = await loadModelAndLora(v.model, v.lora, v.backend);
  const out = await sampleBatch(model, lora, prompts, {
    ops: chooseOps({ fusedKernels: true }), // the backend's fastest
    numGenerations: num('num-generations', v['num-generations'], 1),
    maxNewTokens: num('max-new-tokens', v['max-new-tokens'], 0),
    temperature: v.greedy ? 0 : num('temperature', v.temperature, 1),
    topP: num('top-p', v['top-p'], 1),
    topK: num('top-k', v['top-k'], 0),
    minP: num('min-p', v['min-p'], 0),
    repetitionPenalty: num('repetition-penalty', v['repetition-penalty'], 1),
    eosIds: v.eos !== undefined ? parseIdRows(v.eos, '--eos')[0] : model.spec.eosTokenIds,
    padId: model.spec.padTokenId ?? 0,
    rng: new Rng(num('seed', v.seed, 0)),
  });
  process.stdout.write(JSON.stringify(out.completions) + '\n');
  return 0;
}
