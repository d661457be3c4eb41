// The Ops (src/engine/ops): which implementation a run gets from its backend and config, and every
// implementation that runs on the CPU and WASM backends against the reference, op by op, values and
// gradients (the WebGPU ones are checked the same way in Chromium: e2e/kernels.spec.ts). Tolerances:
// values 1e-5, gradients 1e-4 of their max-abs.
import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '../../src/engine/tf.ts';
import { initBackend, type BackendName } from '../../src/engine/backend.ts';
import {
  chooseOps,
  REFERENCE,
  referenceOps,
  runCompute,
  tiledOps,
  webgpuOps,
  type Ops,
} from '../../src/engine/ops/index.ts';
import { isSoftwareAdapter, adapterName } from '../../src/engine/adapter.ts';
import { CausalLM } from '../../src/engine/model/model.ts';
import { randomWeights } from '../../src/engine/bench/run.ts';
import { BENCH_SHAPES } from '../../src/engine/bench/shapes.ts';
import { sampleBatch } from '../../src/engine/sampler.ts';
import { AdamW } from '../../src/engine/optim.ts';
import { Rng } from '../../src/engine/rng.ts';

/** The implementations other than the reference that run on the CPU and WASM backends. */
const CPU_OPS: Ops[] = [referenceOps({ chunkedLmHead: true })];

describe('choosing the Ops', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('run.fused_kernels false: the reference with whole logits, on every backend', () => {
    expect(chooseOps({ fusedKernels: false })).toBe(REFERENCE);
    expect(chooseOps({ fusedKernels: false, backend: 'webgpu', tiled: true })).toBe(REFERENCE);
    expect(REFERENCE.chunkedLmHead).toBe(false);
  });

  it('CPU and WASM: the reference with the LM head in chunks, even when tiled kernels are forced', () => {
    for (const backend of [undefined, 'cpu', 'wasm']) {
      const ops = chooseOps({ fusedKernels: true, tiled: true, backend });
      expect(ops.kind).toBe('reference');
      expect(ops.chunkedLmHead).toBe(true);
    }
  });

  it('WebGPU: tiled kernels on a software adapter (or forced), tfjs shared-memory kernels otherwise', () => {
    expect(chooseOps({ fusedKernels: true, backend: 'webgpu', tiled: true })).toBe(tiledOps);
    expect(chooseOps({ fusedKernels: true, backend: 'webgpu', tiled: false })).toBe(webgpuOps);
    expect(chooseOps({ fusedKernels: true, backend: 'webgpu' })).toBe(webgpuOps); // the CPU backend's info: no adapter
    expect(tiledOps.sequenceMultiple).toBe(4);
  });

  it("a run's Compute follows run.fused_kernels and run.gradient_checkpointing", () => {
    expect(runCompute({ fused_kernels: false, gradient_checkpointing: true })).toEqual({
      ops: REFERENCE,
      gradientCheckpointing: true,
    });
    expect(runCompute({ fused_kernels: true, gradient_checkpointing: false }).gradientCheckpointing).toBe(false);
  });

  it('the sampler gives the same tokens with every implementation on the CPU', async () => {
    const before = tf.memory().numTensors;
    const model = new CausalLM(BENCH_SHAPES.demo.spec, randomWeights(BENCH_SHAPES.demo.spec, 3, { proj: () => 0.2 }));
    const greedy = async (ops: Ops) =>
      (
        await sampleBatch(
          model,
          null,
          [
            [1, 2, 3],
            [4, 5],
          ],
          {
            ops,
            numGenerations: 1,
            maxNewTokens: 4,
            temperature: 0,
            topP: 1,
            topK: 0,
            minP: 0,
            repetitionPenalty: 1,
            eosIds: [],
            padId: 0,
            rng: new Rng(0),
          },
        )
      ).completions;
    const want = await greedy(REFERENCE);
    for (const ops of CPU_OPS) expect(await greedy(ops)).toEqual(want);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe.each(['cpu', 'wasm'] as BackendName[])('%s: each implementation against the reference', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  const rnd = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 0.5, 'float32', seed);

  /** Value and gradients of a weighted sum of f's output with respect to its inputs. */
  const valueAndGrads = (f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[]) =>
    tf.tidy(() => {
      const y = f(...inputs);
      const w = tf.sin(tf.range(0, y.size).reshape(y.shape));
      const grads = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), w)))(inputs);
      return { y: Array.from(y.dataSync()), grads: grads.map((g) => Array.from(g.dataSync())) };
    });

  const expectClose = (a: ReturnType<typeof valueAndGrads>, b: ReturnType<typeof valueAndGrads>) => {
    expect(Math.max(...a.y.map((x, i) => Math.abs(x - b.y[i])))).toBeLessThan(1e-5);
    a.grads.forEach((g, i) => {
      const scale = Math.max(1e-12, ...b.grads[i].map(Math.abs));
      expect(Math.max(...g.map((x, j) => Math.abs(x - b.grads[i][j])))).toBeLessThan(1e-4 * scale);
    });
  };

  const cases: Record<string, { inputs: () => tf.Tensor[]; run: (ops: Ops, ...xs: tf.Tensor[]) => tf.Tensor }> = {
    'linear with LoRA': {
      inputs: () => [rnd([6, 8], 1), rnd([4, 8], 2), rnd([12, 4], 3)],
      run: (ops, x, A, B) => ops.linear(x as tf.Tensor2D, W, bias, { A, B, scale: 2, dropout: 0 }),
    },
    rmsNorm: { inputs: () => [rnd([2, 3, 8], 4)], run: (ops, x) => ops.rmsNorm(x, g, 1e-6) },
    attention: {
      inputs: () => [rnd([1, 4, 3, 8], 5), rnd([1, 2, 3, 8], 6), rnd([1, 2, 3, 8], 7)],
      run: (ops, q, k, v) => ops.attention(q as tf.Tensor4D, k as tf.Tensor4D, v as tf.Tensor4D, causal),
    },
    'LM head log-probabilities and entropies': {
      inputs: () => [rnd([5, 8], 8)],
      run: (ops, h) => tf.stack(ops.tokenLogprobs(h as tf.Tensor2D, W, targets, 0.7)),
    },
  };
  let W: tf.Tensor2D, bias: tf.Tensor1D, g: tf.Tensor1D, causal: tf.Tensor4D, targets: tf.Tensor1D;
  beforeAll(() => {
    W = rnd([12, 8], 9) as tf.Tensor2D;
    bias = rnd([12], 10) as tf.Tensor1D;
    g = rnd([8], 11) as tf.Tensor1D;
    causal = tf.tensor4d([0, -1e9, -1e9, 0, 0, -1e9, 0, 0, 0], [1, 1, 3, 3]);
    targets = tf.tensor1d([0, 3, 11, 5, 7], 'int32');
  });

  it.each(Object.keys(cases))('%s', (name) => {
    const c = cases[name];
    const inputs = c.inputs();
    const want = valueAndGrads((...xs) => c.run(REFERENCE, ...xs), inputs);
    for (const ops of CPU_OPS)
      expectClose(
        valueAndGrads((...xs) => c.run(ops, ...xs), inputs),
        want,
      );
    tf.dispose(inputs);
  });

  it('AdamW', async () => {
    const p = () => [tf.variable(tf.tensor1d([0.5, -1, 2]))];
    const want = p();
    const optWant = new AdamW(want, { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1 });
    REFERENCE.adamwStep(optWant, [tf.tensor1d([0.1, -0.2, 0.3])], 0.01);
    for (const ops of CPU_OPS) {
      const got = p();
      const opt = new AdamW(got, { beta1: 0.9, beta2: 0.99, eps: 1e-8, weightDecay: 0.1 });
      ops.adamwStep(opt, [tf.tensor1d([0.1, -0.2, 0.3])], 0.01);
      expect(Array.from(await got[0].data())).toEqual(Array.from(await want[0].data()));
      opt.dispose();
      tf.dispose(got);
    }
    optWant.dispose();
    tf.dispose(want);
  });
});

describe('software adapters', () => {
  const adapter = (info: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    ({ info, ...extra }) as unknown as GPUAdapter;

  it('SwiftShader, lavapipe and fallback adapters are software; GPUs are not', () => {
    expect(isSoftwareAdapter(adapter({ vendor: 'google', architecture: 'swiftshader', description: '' }))).toBe(true);
    expect(
      isSoftwareAdapter(adapter({ vendor: 'mesa', architecture: '', description: 'llvmpipe (LLVM 15.0.6, 256 bits)' })),
    ).toBe(true);
    expect(
      isSoftwareAdapter(adapter({ vendor: 'x', architecture: '', description: '', isFallbackAdapter: true })),
    ).toBe(true);
    expect(
      isSoftwareAdapter(adapter({ vendor: 'nvidia', architecture: 'hopper', description: 'NVIDIA H100 80GB HBM3' })),
    ).toBe(false);
    expect(isSoftwareAdapter(adapter({ vendor: 'apple', architecture: 'metal-3', description: '' }))).toBe(false);
    expect(adapterName(adapter({}))).toBe('WebGPU adapter');
  });
});
