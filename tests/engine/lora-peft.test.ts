// PEFT adapters imported as PEFT applies them: target_modules as a regex, rank_pattern and alpha_pattern
// (per-module rank and scale), and one-sentence refusals for what cannot be applied. Each import is
// checked by logits against the plain list-form adapter with its matrices edited to the same update.
import { describe, it, expect, beforeAll } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { initBackend } from '../../src/engine/backend.ts';
import { CausalLM } from '../../src/engine/model/model.ts';
import { dirSource } from '../../src/engine/model/node-source.ts';
import { LoraAdapter, LoraFormatError } from '../../src/engine/lora.ts';
import { peftLoraSection } from '../../src/engine/lora-peft.ts';
import { readSafetensors, writeSafetensors } from '../../src/engine/model/safetensors.ts';
import { fullLogits } from '../../src/engine/infer.ts';
import { REFERENCE } from '../../src/engine/ops/index.ts';
import { fixtureDirs, maxAbsDiff } from './fixtures.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

const dir = fixtureDirs().find((d) => path.basename(d) === 'qwen2') ?? fixtureDirs()[0];
const baseConfig = JSON.parse(fs.readFileSync(path.join(dir, 'lora/adapter_config.json'), 'utf8'));
const baseWeights = new Uint8Array(fs.readFileSync(path.join(dir, 'lora/adapter_model.safetensors')));
type T = Record<string, { shape: number[]; data: Float32Array }>;
const tensors = (): T =>
  Object.fromEntries(
    [...readSafetensors(baseWeights)].map(([k, v]) => [k, { shape: v.shape, data: Float32Array.from(v.data) }]),
  );
const ids = [[3, 17, 42, 9, 88, 5]],
  mask = [[1, 1, 1, 1, 1, 1]];

async function logits(model: CausalLM, config: Record<string, unknown>, w: T | Uint8Array): Promise<Float32Array> {
  const lora = LoraAdapter.fromPeft(model.spec, config, w instanceof Uint8Array ? w : writeSafetensors(w));
  const out = fullLogits(model, lora, ids, mask, REFERENCE);
  const data = (await out.data()) as Float32Array;
  out.dispose();
  lora.dispose();
  return data;
}
const key = (l: number, p: string, w: 'A' | 'B') =>
  `base_model.model.model.layers.${l}.${['q', 'k', 'v', 'o'].includes(p[0]) ? 'self_attn' : 'mlp'}.${p}.lora_${w}.weight`;

describe('PEFT import as PEFT applies it', () => {
  it('a regex target_modules selects the modules PEFT would (here: q and v of layer 0 only)', async () => {
    const model = await CausalLM.load(dirSource(dir));
    const regex = { ...baseConfig, target_modules: 'model\\.layers\\.0\\.self_attn\\.(q|v)_proj' };
    const got = await logits(model, regex, baseWeights);
    // the same update from the list form: every other module's B set to zero
    const t = tensors();
    for (const k of Object.keys(t))
      if (k.endsWith('lora_B.weight') && !/layers\.0\.self_attn\.(q|v)_proj/.test(k)) t[k].data.fill(0);
    expect(maxAbsDiff(got, await logits(model, baseConfig, t))).toBeLessThan(1e-6);
    expect(peftLoraSection(regex).target_modules).toEqual(['q_proj', 'v_proj']);
    model.dispose();
  });
  it('alpha_pattern gives a module its own scale', async () => {
    const model = await CausalLM.load(dirSource(dir));
    const cfg = { ...baseConfig, alpha_pattern: { q_proj: baseConfig.lora_alpha * 3 } };
    const lora = LoraAdapter.fromPeft(model.spec, cfg, baseWeights);
    expect(lora.scaleOf(lora.pairs.get('0.q_proj')!)).toBeCloseTo((baseConfig.lora_alpha * 3) / baseConfig.r, 12);
    expect(lora.scaleOf(lora.pairs.get('0.k_proj')!)).toBeCloseTo(baseConfig.lora_alpha / baseConfig.r, 12);
    lora.dispose();
    const t = tensors(); // the same update: q_proj's B three times larger at the common scale
    for (const k of Object.keys(t)) if (k.includes('q_proj.lora_B')) t[k].data.forEach((v, i, a) => (a[i] = v * 3));
    expect(maxAbsDiff(await logits(model, cfg, baseWeights), await logits(model, baseConfig, t))).toBeLessThan(1e-5);
    model.dispose();
  });
  it('rank_pattern gives a module its own rank and scale, and the export writes both back', async () => {
    const model = await CausalLM.load(dirSource(dir));
    const r = baseConfig.r as number,
      k = 2;
    const small = tensors(),
      same = tensors();
    for (let l = 0; l < model.spec.layers; l++) {
      const A = small[key(l, 'v_proj', 'A')],
        B = small[key(l, 'v_proj', 'B')];
      const inF = A.shape[1],
        outF = B.shape[0];
      A.data = A.data.slice(0, k * inF);
      A.shape = [k, inF];
      B.data = Float32Array.from({ length: outF * k }, (_, i) => B.data[Math.floor(i / k) * r + (i % k)]);
      B.shape = [outF, k];
      // list form with the same update: rows/columns past k zeroed, B scaled by (alpha/k) / (alpha/r)
      same[key(l, 'v_proj', 'A')].data.fill(0, k * inF);
      same[key(l, 'v_proj', 'B')].data.forEach((v, i, a) => (a[i] = i % r < k ? (v * r) / k : 0));
    }
    const cfg = { ...baseConfig, rank_pattern: { v_proj: k } };
    const got = await logits(model, cfg, small);
    expect(maxAbsDiff(got, await logits(model, baseConfig, same))).toBeLessThan(1e-5);
    const lora = LoraAdapter.fromPeft(model.spec, cfg, writeSafetensors(small));
    const out = await lora.toPeft('tiny');
    lora.dispose();
    expect(out.config.rank_pattern).toEqual({
      'model\\.layers\\.0\\.self_attn\\.v_proj': k,
      'model\\.layers\\.1\\.self_attn\\.v_proj': k,
    });
    expect(readSafetensors(out.weights).get(key(0, 'v_proj', 'A'))!.shape).toEqual([k, model.spec.hidden]);
    expect(maxAbsDiff(await logits(model, out.config, out.weights), got)).toBeLessThan(1e-6);
    model.dispose();
  });
  it.each([
    [{ modules_to_save: ['lm_head'] }, /trains whole modules/],
    [{ bias: 'all' }, /bias "none"/],
    [{ use_dora: true }, /DoRA/],
    [{ fan_in_fan_out: true }, /fan_in_fan_out/],
    [{ layers_to_transform: [0] }, /layers_to_transform/],
    [{ target_modules: 'lm_head' }, /match none/],
  ])('refuses %o in one sentence', async (extra, why) => {
    const model = await CausalLM.load(dirSource(dir));
    const err = (() => {
      try {
        LoraAdapter.fromPeft(model.spec, { ...baseConfig, ...extra }, baseWeights);
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    model.dispose();
    expect(err).toBeInstanceOf(LoraFormatError);
    expect(err!.message).toMatch(why);
    expect(err!.message).toMatch(/^This adapter cannot be loaded: [^\n]*\.$/);
  });
});
