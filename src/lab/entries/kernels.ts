// Checks of the WebGPU Ops (src/engine/ops, kernels in src/engine/kernels) in a real WebGPU page, each
// against the reference Ops: every implementation op by op (ops-parity.ts), the fused decode step's logits against the op-by-op forward's, step by step
// from the same prefilled cache (base model and with a PEFT adapter), greedy tokens with fusion on and off
// against the Hugging Face reference, the in-place AdamW against optim.ts's, and the training pass of every
// implementation.
import * as tf from '../../engine/tf.ts';
import { initBackend } from '../../engine/backend.ts';
import { CausalLM, type KVCache, type ForwardOutput } from '../../engine/model/model.ts';
import { LoraAdapter } from '../../engine/lora.ts';
import { plainSampling, sampleBatch } from '../../engine/sampler.ts';
import { leftPad } from '../../engine/batch.ts';
import { chooseOps, REFERENCE, referenceOps, tiledOps, webgpuOps, type Compute } from '../../engine/ops/index.ts';
import { AdamW } from '../../engine/optim.ts';
import { rowRmsNorm } from '../../engine/kernels/rows.ts';
import { loadFixture, loadReference } from '../fixture.ts';
import { PARITY_BATCH, relGradErr, trainingGrads } from '../parity.ts';
import { opsParity, type OpErr } from '../ops-parity.ts';

/** Max |fused - reference| of decode-step logits over `steps` steps of rows of different lengths (left-padded). */
async function decodeLogitsErr(
  model: CausalLM,
  lora: LoraAdapter | null,
  prompts: number[][],
  steps: number,
): Promise<number> {
  const pad = leftPad(prompts, 0),
    P = pad.ids[0].length,
    B = prompts.length,
    cap = P + steps;
  const keyMask = pad.mask.map((r) => [...r, ...Array(steps).fill(0)]);
  const pos = pad.positions.map((r) => r[P - 1]);
  const t2 = (x: number[][], d: 'int32' | 'float32') => tf.tensor2d(x, undefined, d);
  const empty = model.newCache(B, cap);
  const pre = tf.tidy(
    () =>
      model.forward({
        ids: t2(pad.ids, 'int32'),
        positions: t2(pad.positions, 'int32'),
        keyMask: t2(keyMask, 'float32'),
        ops: REFERENCE,
        lora,
        cache: empty,
        offset: 0,
      }) as unknown as tf.TensorContainer,
  ) as unknown as ForwardOutput;
  tf.dispose([...empty.k, ...empty.v]);
  let ref: KVCache = pre.cache!;
  // tf.clone shares the GPU buffer, and the fused step writes in place: copy for real
  const fused: KVCache = { k: ref.k.map((t) => tf.add(t, 0)), v: ref.v.map((t) => tf.add(t, 0)), capacity: cap };
  pre.hidden.dispose();
  let err = 0,
    ids = prompts.map((_, b) => 1 + ((b * 7 + 3) % (model.spec.vocabSize - 1)));
  for (let t = 0; t < steps; t++) {
    for (const r of keyMask) r[P + t] = 1;
    const positions = pos.map((p) => p + t + 1);
    const a = webgpuOps.decodeStep(model, lora, fused, ids, positions, keyMask, P + t);
    if (!a) throw new Error('the fused decode step does not support this model');
    const r = tf.tidy(
      () =>
        model.forward({
          ids: t2(
            ids.map((i) => [i]),
            'int32',
          ),
          positions: t2(
            positions.map((p) => [p]),
            'int32',
          ),
          keyMask: t2(keyMask, 'float32'),
          ops: REFERENCE,
          lora,
          cache: ref,
          offset: P + t,
        }) as unknown as tf.TensorContainer,
    ) as unknown as ForwardOutput;
    const h = r.hidden.reshape([B, -1]) as tf.Tensor2D,
      b = model.logits(h, REFERENCE);
    const [fa, fb] = [await a.data(), await b.data()];
    for (let i = 0; i < fa.length; i++) err = Math.max(err, Math.abs(fa[i] - fb[i]));
    ids = ids.map((_, row) => {
      let best = 0;
      const V = model.spec.vocabSize;
      for (let v = 1; v < V; v++) if (fb[row * V + v] > fb[row * V + best]) best = v;
      return best;
    });
    tf.dispose([a, b, h, r.hidden, ...ref.k, ...ref.v]);
    ref = r.cache!;
  }
  tf.dispose([...ref.k, ...ref.v, ...fused.k, ...fused.v]);
  return err;
}

export async function kernelParity(base: string): Promise<Record<string, unknown>> {
  const info = await initBackend('webgpu');
  const ref = await loadReference(base);
  const { model, lora } = await loadFixture(base);
  const before = tf.memory().numTensors;
  const prompts = [
    [5, 9, 2, 7, 11],
    [3, 4],
    [8, 1, 6],
  ];
  const baseErr = await decodeLogitsErr(model, null, prompts, 6);
  const loraErr = await decodeLogitsErr(model, lora, prompts, 6);
  const gp = ref.get('greedy_prompt')!,
    want = Array.from(ref.get('greedy_tokens')!.data);
  const greedy = async (on: boolean) => {
    const ops = on ? chooseOps({ fusedKernels: true }) : REFERENCE;
    const out = await sampleBatch(model, null, [Array.from(gp.data)], plainSampling(ops, want.length));
    return JSON.stringify(out.completions[0]) === JSON.stringify(want);
  };
  const greedyFused = await greedy(true),
    greedyUnfused = await greedy(false);
  const leaked = tf.memory().numTensors - before;
  lora.dispose();
  model.dispose();
  return { backend: info.backend, baseErr, loraErr, greedyFused, greedyUnfused, leaked };
}

/** Every Ops implementation of WebGPU (and the reference with its LM head in chunks) against the reference, op by op. */
export async function opsParityOnWebGPU(): Promise<{ errs: Record<string, Record<string, OpErr>>; leaked: number }> {
  await initBackend('webgpu');
  const before = tf.memory().numTensors;
  const errs = await opsParity({
    'reference, LM head in chunks': referenceOps({ chunkedLmHead: true }),
    webgpu: webgpuOps,
    tiled: tiledOps,
  });
  return { errs, leaked: tf.memory().numTensors - before };
}

/** Max |fused - reference| of parameters and moments after three AdamW steps (with weight decay) on random gradients. */
export async function adamwParity(): Promise<Record<string, unknown>> {
  await initBackend('webgpu');
  const before = tf.memory().numTensors;
  const rnd = (n: number, s: number) =>
    Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + s * 78.233) * 0.7);
  const shapes: [number, number][] = [
    [16, 64],
    [40, 16],
    [3, 5],
  ];
  const make = () => shapes.map((sh, i) => tf.tidy(() => tf.variable(tf.tensor2d(rnd(sh[0] * sh[1], i), sh), true)));
  const a = make(),
    b = make();
  const settings = { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1 };
  const oa = new AdamW(a, settings),
    ob = new AdamW(b, settings);
  let err = 0;
  const cmp = (x: ArrayLike<number>, y: ArrayLike<number>) => {
    for (let i = 0; i < x.length; i++) err = Math.max(err, Math.abs(x[i] - y[i]));
  };
  // read everything back after every step, as a checkpoint does: a read caches values on the CPU, and an
  // in-place update must not leave that copy stale (regression: resumed runs started from old moments)
  let sa = await oa.exportState(),
    sb = await ob.exportState();
  for (let step = 0; step < 3; step++) {
    const grads = shapes.map((sh, i) => tf.tensor2d(rnd(sh[0] * sh[1], 10 * step + i + 5), sh));
    REFERENCE.adamwStep(oa, grads, 1e-2);
    webgpuOps.adamwStep(ob, grads, 1e-2);
    tf.dispose(grads);
    sa = await oa.exportState();
    sb = await ob.exportState();
    for (let i = 0; i < a.length; i++) {
      cmp(await a[i].data(), await b[i].data());
      cmp(sa.m[i], sb.m[i]);
      cmp(sa.v[i], sb.v[i]);
    }
  }
  oa.dispose();
  ob.dispose();
  tf.dispose([...a, ...b]);
  return { err, steps: [sa.step, sb.step], leaked: tf.memory().numTensors - before };
}

/**
 * Each Ops implementation's training forward against the reference's: completion log-probabilities,
 * entropies and every LoRA gradient of a weighted sum of both, for `tiled` (register-tiled matmuls and row
 * kernels), `tfjs` (the webgpu Ops: tfjs's matMul with fused LoRA projections), and gradient checkpointing
 * on the adapter's choice (`checkpointed`). Rows of length 7 also exercise the tiled Ops' padding to a
 * multiple of 4.
 */
export async function gradParity(base: string): Promise<Record<string, unknown>> {
  await initBackend('webgpu');
  const { model, lora } = await loadFixture(base);
  const before = tf.memory().numTensors;
  const ref = await trainingGrads(model, lora, PARITY_BATCH, { ops: REFERENCE, gradientCheckpointing: false });
  const cases: Record<string, Compute> = {
    tiled: { ops: tiledOps, gradientCheckpointing: false },
    tfjs: { ops: webgpuOps, gradientCheckpointing: false },
    checkpointed: { ops: chooseOps({ fusedKernels: true }), gradientCheckpointing: true },
  };
  const errs: Record<string, { valueErr: number; gradErr: number }> = {};
  for (const [name, compute] of Object.entries(cases)) {
    const r = await trainingGrads(model, lora, PARITY_BATCH, compute);
    errs[name] = { valueErr: Math.abs(r.value - ref.value), gradErr: relGradErr(r.grads, ref.grads) };
  }
  const leaked = tf.memory().numTensors - before;
  lora.dispose();
  model.dispose();
  return { ...errs, leaked };
}

/** A row kernel over more rows than one dispatch dimension holds (65,535 workgroups of 64): every row computed. */
export async function largeDispatchCheck(): Promise<Record<string, unknown>> {
  await initBackend('webgpu');
  const R = 65535 * 64 + 130,
    D = 4,
    before = tf.memory().numTensors;
  const x = tf.ones([R, D]),
    w = tf.tensor1d([1, 2, 3, 4]);
  const ours = rowRmsNorm(x, w, 1e-6); // rows of ones: every output row is w (to 1e-6)
  const [e, last] = tf.tidy(() => [tf.max(tf.abs(tf.sub(ours, w))), tf.slice(ours, [R - 1, 0], [1, D])]);
  const err = (await e.data())[0],
    lastRow = Array.from(await last.data());
  tf.dispose([x, w, ours, e, last]);
  return { rows: R, err, lastRow, leaked: tf.memory().numTensors - before };
}
