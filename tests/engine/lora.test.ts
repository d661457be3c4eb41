// PEFT format: our export has PEFT's file names, keys and config fields, and re-imports identically.
import { describe, it, expect, beforeAll } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '../../src/engine/tf.ts';
import { initBackend } from '../../src/engine/backend.ts';
import { CausalLM } from '../../src/engine/model/model.ts';
import { dirSource } from '../../src/engine/model/node-source.ts';
import { LoraAdapter, LoraFormatError } from '../../src/engine/lora.ts';
import { readSafetensorsHeader } from '../../src/engine/model/safetensors.ts';
import { fullLogits } from '../../src/engine/infer.ts';
import { fixtureDirs } from './fixtures.ts';
import { REFERENCE } from '../../src/engine/ops/index.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

describe.each(fixtureDirs().map((d) => [path.basename(d), d]))('%s LoRA in PEFT format', (_n, dir) => {
  const peftConfig = JSON.parse(fs.readFileSync(path.join(dir, 'lora/adapter_config.json'), 'utf8'));
  const peftWeights = fs.readFileSync(path.join(dir, 'lora/adapter_model.safetensors'));

  it("export -> re-import gives identical logits, disabling gives the base model; keys and config fields are PEFT's", async () => {
    const model = await CausalLM.load(dirSource(dir));
    const lora = LoraAdapter.fromPeft(model.spec, peftConfig, peftWeights);
    const { config, weights } = await lora.toPeft('tiny');
    expect(Object.keys(readSafetensorsHeader(weights).header).sort()).toEqual(
      Object.keys(readSafetensorsHeader(peftWeights).header).sort(),
    );
    for (const k of [
      'r',
      'lora_alpha',
      'lora_dropout',
      'target_modules',
      'peft_type',
      'task_type',
      'bias',
      'use_rslora',
      'use_dora',
      'fan_in_fan_out',
      'base_model_name_or_path',
      'inference_mode',
    ]) {
      expect(config, k).toHaveProperty(k);
      if (k !== 'base_model_name_or_path' && k !== 'target_modules' && k !== 'init_lora_weights')
        expect(typeof config[k]).toBe(typeof peftConfig[k]);
    }
    expect([...(config.target_modules as string[])].sort()).toEqual([...peftConfig.target_modules].sort());
    const again = LoraAdapter.fromPeft(model.spec, JSON.parse(JSON.stringify(config)), weights);
    const ids = [[5, 6, 7, 8]],
      mask = [[1, 1, 1, 1]];
    const a = fullLogits(model, lora, ids, mask, REFERENCE),
      b = fullLogits(model, again, ids, mask, REFERENCE);
    expect(Array.from(await a.data())).toEqual(Array.from(await b.data()));
    lora.enabled = false; // the reference policy: same weights, adapter off
    const off = fullLogits(model, lora, ids, mask, REFERENCE),
      base = fullLogits(model, null, ids, mask, REFERENCE);
    expect(Array.from(await off.data())).toEqual(Array.from(await base.data()));
    expect(Array.from(await a.data())).not.toEqual(Array.from(await base.data()));
    tf.dispose([a, b, off, base]);
    lora.dispose();
    again.dispose();
    model.dispose();
  });

  it('a new adapter starts as the identity (B = 0), with A ~ U(-1/sqrt(in), 1/sqrt(in))', async () => {
    const model = await CausalLM.load(dirSource(dir));
    const lora = LoraAdapter.create(
      model.spec,
      { r: 8, alpha: 16, dropout: 0, targetModules: ['q_proj', 'down_proj'], useRslora: true },
      1,
    );
    expect(lora.scale).toBeCloseTo(16 / Math.sqrt(8));
    const A = await lora.variables()[0].data();
    expect(Math.max(...A.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(model.spec.hidden));
    const ids = [[9, 10, 11]],
      mask = [[1, 1, 1]];
    const base = fullLogits(model, null, ids, mask, REFERENCE),
      withLora = fullLogits(model, lora, ids, mask, REFERENCE);
    expect(Array.from(await withLora.data())).toEqual(Array.from(await base.data()));
    tf.dispose([base, withLora]);
    lora.dispose();
    model.dispose();
  });

  it('rejects an adapter made for another model with a clear error', async () => {
    const model = await CausalLM.load(dirSource(dir));
    const bad = { ...peftConfig, r: 3 };
    expect(() => LoraAdapter.fromPeft(model.spec, bad, peftWeights)).toThrow(LoraFormatError);
    expect(() =>
      LoraAdapter.fromPeft(model.spec, { ...peftConfig, target_modules: ['embed_tokens'] }, peftWeights),
    ).toThrow(/can carry an adapter/);
    model.dispose();
  });
});
