// A model written back out (with a LoRA adapter merged) reloads and gives the adapter's logits.
import { it, expect, beforeAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '../../src/engine/tf.ts';
import { initBackend } from '../../src/engine/backend.ts';
import { CausalLM } from '../../src/engine/model/model.ts';
import { dirSource } from '../../src/engine/model/node-source.ts';
import { LoraAdapter } from '../../src/engine/lora.ts';
import { hfConfig, weightsToSafetensors } from '../../src/engine/model/save.ts';
import { fullLogits } from '../../src/engine/infer.ts';
import { fixtureDirs } from './fixtures.ts';
import { REFERENCE } from '../../src/engine/ops/index.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

it.each(fixtureDirs().map((d) => [path.basename(d), d]))('%s: merge_and_unload round trip', async (_n, dir) => {
  const model = await CausalLM.load(dirSource(dir));
  const lora = LoraAdapter.fromPeft(
    model.spec,
    JSON.parse(fs.readFileSync(path.join(dir, 'lora/adapter_config.json'), 'utf8')),
    fs.readFileSync(path.join(dir, 'lora/adapter_model.safetensors')),
  );
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'webgrpo-merged-'));
  fs.writeFileSync(path.join(tmp, 'config.json'), JSON.stringify(hfConfig(model.spec)));
  fs.writeFileSync(path.join(tmp, 'model.safetensors'), await weightsToSafetensors(model.spec, model.weights, lora));
  const merged = await CausalLM.load(dirSource(tmp));
  expect(merged.spec).toEqual(model.spec);
  const ids = [[7, 8, 9, 10, 11]],
    mask = [[1, 1, 1, 1, 1]];
  const a = fullLogits(model, lora, ids, mask, REFERENCE),
    b = fullLogits(merged, null, ids, mask, REFERENCE);
  const x = await a.data(),
    y = await b.data();
  expect(Math.max(...Array.from(x, (v, i) => Math.abs(v - y[i])))).toBeLessThan(1e-4);
  tf.dispose([a, b]);
  lora.dispose();
  model.dispose();
  merged.dispose();
});
