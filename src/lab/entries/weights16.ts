// Parity of 16-bit weight storage (model/packed.ts): a model whose matrices are rounded to bf16 or f16 and
// kept packed against the f32 model of exactly those values, on every path the backend has (op-by-op; on
// WebGPU also the fused decode and both training kernel families). Logits, the sampler's greedy tokens and
// log-probabilities, completion log-probabilities and every LoRA gradient must agree. DOM-free: the Node
// tests call `parity16` on the CPU backend, e2e/weights16.spec.ts through the lab page on WebGPU.
import * as tf from '../../engine/tf.ts';
import { initBackend } from '../../engine/backend.ts';
import { CausalLM } from '../../engine/model/model.ts';
import { convertWeights, weightBytes } from '../../engine/model/weights.ts';
import { dense, isPacked, type Format16 } from '../../engine/model/packed.ts';
import { LoraAdapter } from '../../engine/lora.ts';
import { fullLogits } from '../../engine/infer.ts';
import { plainSampling, sampleBatch } from '../../engine/sampler.ts';
import { REFERENCE, tiledOps, webgpuOps, type Ops } from '../../engine/ops/index.ts';
import { urlSource } from '../../engine/model/source.ts';
import { loadFixture } from '../fixture.ts';
import { PARITY_BATCH, maxDiff, relGradErr, trainingGrads } from '../parity.ts';

/** On WebGPU the op-by-op path is checked on logits only (the Node tests check all of it on the CPU): its sampling and training passes take minutes on a software adapter. */
export interface PathParity {
  logitsErr: number; // max |packed - rounded| of full-forward logits, base and with the adapter
  greedySame?: boolean; // the sampler's greedy tokens (fused decode where active) are identical
  sampleLogprobErr?: number; // max |difference| of the sampler's log-probabilities
  valueErr?: number; // |difference| of a weighted sum of completion log-probabilities and entropies
  gradErr?: number; // max |difference| of every LoRA gradient, relative to its max-abs
}

export interface Parity16 {
  format: Format16;
  bytes16: number; // device bytes of the packed model's weights
  bytes32: number; // of the f32 model's
  paths: Record<string, PathParity>;
  leaked: number;
}

/** The Ops to compare on: the op-by-op reference everywhere; on WebGPU also both kernel families. */
export function opsFor(backend: string): Record<string, Ops> {
  const ref = { 'op-by-op': REFERENCE };
  return backend === 'webgpu' ? { ...ref, tiled: tiledOps, tfjs: webgpuOps } : ref;
}

export async function parity16(model: CausalLM, lora: LoraAdapter, format: Format16): Promise<Parity16> {
  const before = tf.memory().numTensors;
  const packed = new CausalLM(model.spec, convertWeights(model.weights, format));
  const rounded = new CausalLM(model.spec, convertWeights(packed.weights, 'f32'));
  const paths: Parity16['paths'] = {};
  const gpu = tf.getBackend() === 'webgpu';
  for (const [name, ops] of Object.entries(opsFor(tf.getBackend())))
    paths[name] = await comparePath(packed, rounded, lora, ops, !(gpu && ops === REFERENCE));
  const out = { format, bytes16: weightBytes(packed.weights), bytes32: weightBytes(rounded.weights), paths };
  packed.dispose();
  rounded.dispose();
  return { ...out, leaked: tf.memory().numTensors - before };
}

async function comparePath(a: CausalLM, b: CausalLM, lora: LoraAdapter, ops: Ops, full: boolean): Promise<PathParity> {
  let logitsErr = 0;
  for (const l of [null, lora]) {
    const { ids, mask } = PARITY_BATCH;
    const [x, y] = [fullLogits(a, l, ids, mask, ops), fullLogits(b, l, ids, mask, ops)];
    logitsErr = Math.max(logitsErr, maxDiff(await x.data(), await y.data()));
    tf.dispose([x, y]);
  }
  if (!full) return { logitsErr };
  const prompts = [PARITY_BATCH.ids[1].slice(0, 5), PARITY_BATCH.ids[0].slice(1, 4)];
  const [sa, sb] = [
    await sampleBatch(a, lora, prompts, plainSampling(ops, 6)),
    await sampleBatch(b, lora, prompts, plainSampling(ops, 6)),
  ];
  const compute = { ops, gradientCheckpointing: false };
  const [ta, tb] = [
    await trainingGrads(a, lora, PARITY_BATCH, compute),
    await trainingGrads(b, lora, PARITY_BATCH, compute),
  ];
  return {
    logitsErr,
    greedySame: JSON.stringify(sa.completions) === JSON.stringify(sb.completions),
    sampleLogprobErr: maxDiff(sa.logprobs.flat(), sb.logprobs.flat()),
    valueErr: Math.abs(ta.value - tb.value),
    gradErr: relGradErr(ta.grads, tb.grads),
  };
}

/** The lab page's entry: parity16 on a fixture folder served at `base`, on WebGPU. */
export async function weights16Parity(base: string, format: Format16): Promise<Parity16> {
  await initBackend('webgpu');
  const { model, lora } = await loadFixture(base);
  try {
    return await parity16(model, lora, format);
  } finally {
    lora.dispose();
    model.dispose();
  }
}

/**
 * The lab page's entry: a 16-bit checkpoint at `base` streamed onto WebGPU with weight_dtype 'stored' and
 * 'f32': whether the matrices were packed (stored) and widened (f32, on the GPU), whether the widened values
 * equal the packed ones exactly, the largest logit difference, and tensors left after both are disposed.
 */
export async function streamLoad16(
  base: string,
): Promise<{ packed: boolean; widened: boolean; valuesSame: boolean; logitsErr: number; leaked: number }> {
  await initBackend('webgpu');
  const before = tf.memory().numTensors;
  const a = await CausalLM.load(urlSource(base)),
    b = await CausalLM.load(urlSource(base), undefined, { weightDtype: 'f32' });
  const mats = (m: CausalLM) => [m.weights.embed, m.weights.layers[0].q_proj, m.weights.layers.at(-1)!.down_proj];
  let valuesSame = true;
  for (const [x, y] of mats(a).map((m, i) => [m, mats(b)[i]] as const)) {
    const d = dense(x);
    valuesSame &&= maxDiff(await d.data(), await dense(y).data()) === 0;
    if (d !== x) d.dispose();
  }
  const ids = [[0, 3, 4, 5, 6]],
    mask = [[0, 1, 1, 1, 1]];
  const la = fullLogits(a, null, ids, mask, REFERENCE),
    lb = fullLogits(b, null, ids, mask, REFERENCE);
  const logitsErr = maxDiff(await la.data(), await lb.data());
  const out = { packed: mats(a).every(isPacked), widened: !mats(b).some(isPacked), valuesSame, logitsErr };
  tf.dispose([la, lb]);
  a.dispose();
  b.dispose();
  return { ...out, leaked: tf.memory().numTensors - before };
}
