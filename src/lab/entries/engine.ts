// Engine checks in a real WebGPU page: parity of logits, LoRA logits and greedy tokens with a Hugging Face
// reference folder served at `base` (same layout as tests/engine/fixtures.ts), and the benchmark.
import * as tf from '../../engine/tf.ts';
import { initBackend } from '../../engine/backend.ts';
import { CausalLM } from '../../engine/model/model.ts';
import { urlSource } from '../../engine/model/source.ts';
import { LoraAdapter } from '../../engine/lora.ts';
import type { StTensor } from '../../engine/model/safetensors.ts';
import { fullLogits } from '../../engine/infer.ts';
import { plainSampling, sampleBatch } from '../../engine/sampler.ts';
import { runBench } from '../../engine/bench/run.ts';
import { AdamW, clipGradNorm } from '../../engine/optim.ts';
import { policyStep, type PolicyUpdateMetrics } from '../../engine/step.ts';
import type { LossSettings } from '../../engine/grpo.ts';
import { chooseOps } from '../../engine/ops/index.ts';
import { loadFixture, loadReference } from '../fixture.ts';

const rowsOf = (t: StTensor) =>
  Array.from({ length: t.shape[0] }, (_, i) => Array.from(t.data.subarray(i * t.shape[1], (i + 1) * t.shape[1])));

/** Max |ours - reference| over unmasked positions for base and LoRA logits, and whether greedy tokens match. */
export async function engineParity(base: string): Promise<Record<string, unknown>> {
  const info = await initBackend('webgpu');
  const ops = chooseOps({ fusedKernels: true }); // a run's defaults on this adapter
  const ref = await loadReference(base);
  const { model, lora } = await loadFixture(base);
  const ids = rowsOf(ref.get('input_ids')!),
    mask = rowsOf(ref.get('attention_mask')!);
  const V = model.spec.vocabSize,
    T = ids[0].length;
  const err = async (l: LoraAdapter | null, name: string) => {
    const t = fullLogits(model, l, ids, mask, ops);
    const ours = await t.data();
    t.dispose();
    const theirs = ref.get(name)!.data;
    let e = 0;
    mask.forEach((r, b) =>
      r.forEach((m, p) => {
        if (m)
          for (let v = 0; v < V; v++) {
            const i = (b * T + p) * V + v;
            e = Math.max(e, Math.abs(ours[i] - theirs[i]));
          }
      }),
    );
    return e;
  };
  const before = tf.memory().numTensors;
  const logitsErr = await err(null, 'logits'),
    loraErr = await err(lora, 'lora_logits');
  const want = rowsOf(ref.get('greedy_tokens')!)[0];
  const out = await sampleBatch(model, null, rowsOf(ref.get('greedy_prompt')!), plainSampling(ops, want.length));
  const leaked = tf.memory().numTensors - before;
  lora.dispose();
  model.dispose();
  return {
    backend: info.backend,
    device: info.device,
    logitsErr,
    loraErr,
    greedyMatch: JSON.stringify(out.completions[0]) === JSON.stringify(want),
    leaked,
  };
}

/** The benchmark on this page's WebGPU device; overrides.fused = false runs the op-by-op reference path. */
export async function engineBench(shape = 'demo', overrides: Parameters<typeof runBench>[1] = {}): Promise<unknown> {
  await initBackend('webgpu');
  return runBench(shape, overrides, (m) => console.log(m));
}

/** Global gradient norm on WebGPU of tensors with a known norm (regression: it read 0 there). */
export async function gradNormCheck(): Promise<number> {
  await initBackend('webgpu');
  const g = [
    tf.tensor1d([3, 0]),
    tf.tensor2d([
      [0, 4],
      [0, 0],
    ]),
  ];
  const { grads, norm } = await clipGradNorm(g, 100);
  tf.dispose(grads);
  return norm;
}

/** Three policy steps of the demo model on WebGPU with its metrics (regression: loss, KL and entropy read 0 there). */
export async function policyStepCheck(): Promise<PolicyUpdateMetrics[]> {
  await initBackend('webgpu');
  const model = await CausalLM.load(urlSource(`${import.meta.env.BASE_URL}models/demo`));
  const lora = LoraAdapter.create(
    model.spec,
    {
      r: 4,
      alpha: 8,
      dropout: 0,
      targetModules: ['q_proj', 'v_proj', 'gate_proj', 'up_proj', 'down_proj'],
      useRslora: false,
    },
    1,
  );
  const opt = new AdamW(lora.variables(), { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0 });
  const batch = {
    ids: [
      [5, 9, 12, 7, 11, 13],
      [3, 4, 8, 16, 6, 14],
    ],
    mask: [
      [1, 1, 1, 1, 1, 1],
      [1, 1, 1, 1, 1, 1],
    ],
    promptLength: 3,
  };
  const s: LossSettings = {
    lossType: 'dapo',
    beta: 0.04,
    epsilonLow: 0.2,
    epsilonHigh: 0.28,
    importanceSamplingLevel: 'token',
    maxCompletionLength: 3,
    batchSequences: 2,
    batchTokens: 6,
    microBatches: 1,
  };
  const out: PolicyUpdateMetrics[] = [];
  for (let k = 0; k < 3; k++) {
    const m = {
      batch,
      completionMask: [
        [1, 1, 1],
        [1, 1, 1],
      ],
      advantages: [1, -1],
      refLogprobs: [
        [-2, -2, -2],
        [-2, -2, -2],
      ],
    };
    out.push(
      await policyStep(model, lora, opt, [m], s, {
        lr: 1e-2,
        maxGradNorm: 1,
        compute: { ops: chooseOps({ fusedKernels: true }), gradientCheckpointing: false },
      }),
    );
  }
  opt.dispose();
  lora.dispose();
  model.dispose();
  return out;
}
