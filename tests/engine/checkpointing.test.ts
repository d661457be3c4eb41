// Gradient checkpointing (Compute.gradientCheckpointing, from run.gradient_checkpointing): the same log-probabilities and LoRA gradients as
// keeping every activation, on CPU and WASM, with less peak memory once the activations outweigh a layer's
// input. Tolerances: values 1e-5, gradients 1e-4 of their max-abs.
import { describe, it, expect, beforeAll } from 'vitest';
import path from 'node:path';
import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendName } from '../../src/engine/backend.ts';
import { CausalLM } from '../../src/engine/model/model.ts';
import { dirSource } from '../../src/engine/model/node-source.ts';
import { LoraAdapter } from '../../src/engine/lora.ts';
import { LORA_TARGETS } from '../../src/engine/config.ts';
import { completionLogprobs, type SequenceBatch } from '../../src/engine/grpo.ts';
import { randomWeights } from '../../src/engine/bench/run.ts';
import { BENCH_SHAPES } from '../../src/engine/bench/shapes.ts';
import { chooseOps } from '../../src/engine/ops/index.ts';
import { fixtureDirs } from './fixtures.ts';
import { PARITY_BATCH } from '../../src/lab/parity.ts';

function lossAndGrads(model: CausalLM, lora: LoraAdapter, batch: SequenceBatch, checkpoint: boolean) {
  const compute = { ops: chooseOps({ fusedKernels: true }), gradientCheckpointing: checkpoint };
  const vars = lora.variables();
  const C = batch.ids[0].length - batch.promptLength;
  const weights = tf.tensor2d(batch.ids.map((_, n) => Array.from({ length: C }, (_, c) => Math.sin(n * 7 + c))));
  lora.training = true;
  const { value, grads } = tf.variableGrads(() => {
    const { logprobs, entropy } = completionLogprobs(model, lora, batch, compute);
    return tf.add(tf.sum(tf.mul(logprobs, weights)), tf.mul(tf.sum(entropy), 0.1)) as tf.Scalar;
  }, vars);
  lora.training = false;
  const out = { value: value.dataSync()[0], grads: vars.map((v) => Array.from(grads[v.name].dataSync())) };
  tf.dispose([value, weights, ...Object.values(grads)]);
  return out;
}

describe.each(['cpu', 'wasm'] as BackendName[])('%s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  it.each(fixtureDirs().map((d) => [path.basename(d), d]))(
    '%s: same loss and LoRA gradients with and without checkpointing',
    async (_n, dir) => {
      const model = await CausalLM.load(dirSource(dir));
      const lora = LoraAdapter.fromPeft(
        model.spec,
        JSON.parse(fs.readFileSync(path.join(dir, 'lora/adapter_config.json'), 'utf8')),
        fs.readFileSync(path.join(dir, 'lora/adapter_model.safetensors')),
      );
      const batch = PARITY_BATCH;
      const before = tf.memory().numTensors;
      const plain = lossAndGrads(model, lora, batch, false);
      const ckpt = lossAndGrads(model, lora, batch, true);
      expect(tf.memory().numTensors).toBe(before);
      expect(Math.abs(ckpt.value - plain.value)).toBeLessThan(1e-5);
      ckpt.grads.forEach((g, i) => {
        const scale = Math.max(...plain.grads[i].map(Math.abs));
        expect(scale).toBeGreaterThan(0);
        expect(Math.max(...g.map((x, j) => Math.abs(x - plain.grads[i][j])))).toBeLessThan(1e-4 * scale);
      });
      lora.dispose();
      model.dispose();
    },
  );
});

it('keeps less memory for the backward pass (demo shape, 8 x 64 tokens)', async () => {
  await initBackend('cpu');
  const spec = BENCH_SHAPES.demo.spec;
  const model = new CausalLM(spec, randomWeights(spec));
  const lora = LoraAdapter.create(
    spec,
    { r: 16, alpha: 32, dropout: 0, targetModules: [...LORA_TARGETS], useRslora: false },
    0,
  );
  const ids = Array.from({ length: 8 }, (_, b) => Array.from({ length: 64 }, (_, i) => 1 + ((i * 5 + b) % 90)));
  const batch = { ids, mask: ids.map((r) => r.map(() => 1)), promptLength: 32 };
  const peak = async (on: boolean) => {
    const base = tf.memory().numBytes;
    const prof = await tf.profile(() => {
      lossAndGrads(model, lora, batch, on);
      return [] as unknown as tf.Tensor;
    });
    return prof.peakBytes - base;
  };
  const plain = await peak(false),
    ckpt = await peak(true);
  console.log(
    `peak above the weights: ${(plain / 2 ** 20).toFixed(1)} MB kept, ${(ckpt / 2 ** 20).toFixed(1)} MB checkpointed`,
  );
  expect(ckpt).toBeLessThan(0.6 * plain);
  lora.dispose();
  model.dispose();
});
