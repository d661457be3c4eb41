// Parity with Hugging Face transformers + PEFT over every fixture model folder (see tests/engine/fixtures.ts).
// Tolerances: logits 1e-4 absolute; losses 1e-5; gradients 1e-4 relative to their max-abs.
import { describe, it, expect, beforeAll } from 'vitest';
import path from 'node:path';
import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/engine/backend.ts';
import { CausalLM } from '../../src/engine/model/model.ts';
import { dirSource } from '../../src/engine/model/node-source.ts';
import { LoraAdapter } from '../../src/engine/lora.ts';
import { fullLogits } from '../../src/engine/infer.ts';
import { fixtureDirs, loadReference, rows, maxAbsDiff } from './fixtures.ts';

const dirs = fixtureDirs();

beforeAll(async () => { await initBackend('cpu'); });

it('finds fixture folders', () => { expect(dirs.length).toBeGreaterThan(0); });

describe.each(dirs.map((d) => [path.basename(d), d]))('%s', (_name, dir) => {
  const ref = loadReference(dir);
  const loadLora = (model: CausalLM) => LoraAdapter.fromPeft(model.spec,
    JSON.parse(fs.readFileSync(path.join(dir, 'lora/adapter_config.json'), 'utf8')),
    fs.readFileSync(path.join(dir, 'lora/adapter_model.safetensors')));

  /** Max |ours - ref| over positions whose attention mask is 1 (padding rows carry no meaning). */
  async function logitsError(model: CausalLM, lora: LoraAdapter | null, refName: string): Promise<number> {
    const ids = rows(ref.t.get('input_ids')!), mask = rows(ref.t.get('attention_mask')!);
    const out = fullLogits(model, lora, ids, mask);
    const ours = await out.data(); out.dispose();
    const theirs = ref.t.get(refName)!.data, V = model.spec.vocabSize, T = ids[0].length;
    let err = 0;
    mask.forEach((r, b) => r.forEach((m, t) => {
      if (!m) return;
      const o = (b * T + t) * V;
      err = Math.max(err, maxAbsDiff(ours.subarray(o, o + V), theirs.subarray(o, o + V)));
    }));
    return err;
  }

  it('logits match within 1e-4', async () => {
    const model = await CausalLM.load(dirSource(dir));
    const before = tf.memory().numTensors;
    const err = await logitsError(model, null, 'logits');
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    expect(err).toBeLessThan(1e-4);
  });

  it('PEFT adapter imported -> LoRA logits within 1e-4', async () => {
    const model = await CausalLM.load(dirSource(dir));
    const lora = loadLora(model);
    const err = await logitsError(model, lora, 'lora_logits');
    lora.dispose(); model.dispose();
    expect(err).toBeLessThan(1e-4);
  });
});
