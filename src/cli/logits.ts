// `webgrpo logits --model DIR [--lora DIR] --ids "1,2,3;4,5,6" [--mask "1,1,1;0,1,1"] [--backend cpu|wasm|webgpu]`
// prints the logits [B, T, V] as JSON. Ragged rows without --mask are left-padded with the pad id.
import { parseOptions, parseIdRows, loadModelAndLora, UsageError } from './args.ts';
import { fullLogits } from '../engine/infer.ts';
import { leftPad } from '../engine/batch.ts';
import { chooseOps } from '../engine/ops/index.ts';

const USAGE =
  'Usage: webgrpo logits --model DIR [--lora DIR] --ids "1,2,3;4,5,6" [--mask "1,1,1;1,1,1"] [--backend cpu|wasm|webgpu]';

export async function run(argv: string[]): Promise<number> {
  const { values: v } = parseOptions(
    argv,
    {
      model: { type: 'string' },
      lora: { type: 'string' },
      ids: { type: 'string' },
      mask: { type: 'string' },
      backend: { type: 'string' },
    },
    USAGE,
  );
  if (!v.model || !v.ids) throw new UsageError(USAGE);
  let ids = parseIdRows(v.ids, '--ids');
  let mask: number[][];
  const { model, lora } = await loadModelAndLora(v.model, v.lora, v.backend);
  if (v.mask) {
    mask = parseIdRows(v.mask, '--mask');
    if (mask.length !== ids.length || mask.some((r, i) => r.length !== ids[i].length || r.some((x) => x > 1)))
      throw new UsageError('--mask must have the shape of --ids and hold only 0 and 1');
  } else {
    const p = leftPad(ids, model.spec.padTokenId ?? 0);
    ids = p.ids;
    mask = p.mask;
  }
  const bad = ids.flat().find((x) => x >= model.spec.vocabSize);
  if (bad !== undefined)
    throw new UsageError(`token id ${bad} is outside the vocabulary (size ${model.spec.vocabSize})`);
  const t = fullLogits(model, lora, ids, mask, chooseOps({ fusedKernels: true }));
  process.stdout.write(JSON.stringify(await t.array()) + '\n');
  t.dispose();
  return 0;
}
