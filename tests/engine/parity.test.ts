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
import { completionLogprobs, policyLoss, type LossSettings, type LossType } from '../../src/engine/grpo.ts';
import { fixtureDirs, loadReference, rows, maxAbs, maxAbsDiff } from './fixtures.ts';
import { chooseOps, REFERENCE } from '../../src/engine/ops/index.ts';

const dirs = fixtureDirs();

beforeAll(async () => {
  await initBackend('cpu');
});

it('finds fixture folders', () => {
  expect(dirs.length).toBeGreaterThan(0);
});

describe.each(dirs.map((d) => [path.basename(d), d]))('%s', (_name, dir) => {
  const ref = loadReference(dir);
  const loadLora = (model: CausalLM) =>
    LoraAdapter.fromPeft(
      model.spec,
      JSON.parse(fs.readFileSync(path.join(dir, 'lora/adapter_config.json'), 'utf8')),
      fs.readFileSync(path.join(dir, 'lora/adapter_model.safetensors')),
    );

  /** Max |ours - ref| over positions whose attention mask is 1 (padding rows carry no meaning). */
  async function logitsError(model: CausalLM, lora: LoraAdapter | null, refName: string): Promise<number> {
    const ids = rows(ref.t.get('input_ids')!),
      mask = rows(ref.t.get('attention_mask')!);
    const out = fullLogits(model, lora, ids, mask, REFERENCE);
    const ours = await out.data();
    out.dispose();
    const theirs = ref.t.get(refName)!.data,
      V = model.spec.vocabSize,
      T = ids[0].length;
    let err = 0;
    mask.forEach((r, b) =>
      r.forEach((m, t) => {
        if (!m) return;
        const o = (b * T + t) * V;
        err = Math.max(err, maxAbsDiff(ours.subarray(o, o + V), theirs.subarray(o, o + V)));
      }),
    );
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
    lora.dispose();
    model.dispose();
    expect(err).toBeLessThan(1e-4);
  });
});

describe.each(dirs.map((d) => [path.basename(d), d]))('%s GRPO loss and LoRA gradients', (_name, dir) => {
  const ref = loadReference(dir);
  const lossTypes = Object.keys(ref.meta.losses) as LossType[];

  it.each(lossTypes)('%s loss within 1e-5, gradients within 1e-4 of max-abs', async (lossType) => {
    const model = await CausalLM.load(dirSource(dir));
    const lora = LoraAdapter.fromPeft(
      model.spec,
      JSON.parse(fs.readFileSync(path.join(dir, 'lora/adapter_config.json'), 'utf8')),
      fs.readFileSync(path.join(dir, 'lora/adapter_model.safetensors')),
    );
    const prompt = Array.from(ref.t.get('grpo_prompt')!.data);
    const comps = rows(ref.t.get('grpo_completions')!),
      cmask = rows(ref.t.get('grpo_completion_mask')!);
    const batch = {
      ids: comps.map((c) => [...prompt, ...c]),
      mask: cmask.map((m) => [...prompt.map(() => 1), ...m]),
      promptLength: prompt.length,
    };
    const tensor = (n: string) => tf.tensor(ref.t.get(n)!.data as Float32Array, ref.t.get(n)!.shape);
    const before = tf.memory().numTensors;
    const settings: LossSettings = {
      lossType,
      beta: ref.meta.beta,
      epsilonLow: ref.meta.epsilon_low,
      epsilonHigh: ref.meta.epsilon_high,
      importanceSamplingLevel: 'token',
      maxCompletionLength: ref.meta.max_completion_length,
      batchSequences: comps.length,
      batchTokens: cmask.flat().reduce((a, b) => a + b, 0),
      microBatches: 1,
    };
    let metrics: Record<string, number> = {};
    const vars = lora.variables();
    const { value, grads } = tf.variableGrads(() => {
      const { logprobs, entropy } = completionLogprobs(model, lora, batch, {
        ops: chooseOps({ fusedKernels: true }),
        gradientCheckpointing: false,
      });
      const out = policyLoss(
        {
          logprobs,
          oldLogprobs: tensor('grpo_old_logprobs') as tf.Tensor2D,
          refLogprobs: tensor('grpo_ref_logprobs') as tf.Tensor2D,
          advantages: tensor('grpo_advantages') as tf.Tensor1D,
          mask: tensor('grpo_completion_mask') as tf.Tensor2D,
        },
        settings,
      );
      if (lossType === 'grpo') {
        // compared where the completion mask is 1: HF ran the masked tail as real tokens, we treat it as padding
        const m = cmask.flat();
        const onMask = (a: ArrayLike<number>) => Array.from(a, (x, i) => x * m[i]);
        metrics = {
          lpErr: maxAbsDiff(onMask(logprobs.dataSync()), onMask(ref.t.get('grpo_logprobs')!.data)),
          entErr: maxAbsDiff(onMask(entropy.dataSync()), onMask(ref.t.get('grpo_entropy')!.data)),
          kl: out.kl.dataSync()[0],
          region: out.clipRegion.dataSync()[0],
        };
      }
      return out.loss;
    }, vars);
    expect(Math.abs(value.dataSync()[0] - ref.meta.losses[lossType])).toBeLessThan(1e-5);
    if (lossType === 'grpo') {
      expect(metrics.lpErr).toBeLessThan(1e-4);
      expect(metrics.entErr).toBeLessThan(1e-4);
      expect(Math.abs(metrics.kl - ref.meta.kl_mean)).toBeLessThan(1e-5);
      expect(Math.abs(metrics.region - ref.meta.clip_ratio_region)).toBeLessThan(1e-6);
    }
    const names = lora.peftNames();
    let worst = 0;
    vars.forEach((v, i) => {
      const want = ref.t.get(`grad.${lossType}.${names[i].replace('.weight', '.default.weight')}`)!;
      const got = grads[v.name].dataSync();
      worst = Math.max(worst, maxAbsDiff(got, want.data) / Math.max(maxAbs(want.data), 1e-12));
    });
    expect(worst).toBeLessThan(1e-4);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    lora.dispose();
    model.dispose();
  });
});
