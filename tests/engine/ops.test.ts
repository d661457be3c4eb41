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
import { plainSampling, sampleBatch } from '../../src/engine/sampler.ts';
import { opsParity, PARITY_OPS } from '../../src/lab/ops-parity.ts';

/** The implementations other than the reference that run on the CPU and WASM backends. */
const CPU_OPS: Record<string, Ops> = { 'reference, LM head in chunks': referenceOps({ chunkedLmHead: true }) };

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
    const prompts = [
      [1, 2, 3],
      [4, 5],
    ];
    const greedy = async (ops: Ops) => (await sampleBatch(model, null, prompts, plainSampling(ops, 4))).completions;
    const want = await greedy(REFERENCE);
    for (const ops of Object.values(CPU_OPS)) expect(await greedy(ops)).toEqual(want);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe.each(['cpu', 'wasm'] as BackendName[])('%s: each implementation against the reference', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  it('every op, values and gradients, and AdamW (one loop over implementations: src/lab/ops-parity.ts)', async () => {
    const before = tf.memory().numTensors;
    const errs = await opsParity(CPU_OPS);
    expect(Object.keys(errs)).toEqual(Object.keys(CPU_OPS));
    for (const [name, byOp] of Object.entries(errs)) {
      expect(Object.keys(byOp)).toEqual(PARITY_OPS);
      for (const [op, e] of Object.entries(byOp)) {
        expect(e.valueErr, `${name}: ${op} values`).toBeLessThan(1e-5);
        expect(e.gradErr, `${name}: ${op} gradients`).toBeLessThan(1e-4);
      }
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a wrong implementation is caught, in its own op only', async () => {
    const wrong: Ops = { ...REFERENCE, rmsNorm: (x, w, eps) => REFERENCE.rmsNorm(x, w, eps + 0.5) };
    const { wrong: e } = await opsParity({ wrong });
    expect(e.rmsNorm.valueErr).toBeGreaterThan(1e-3);
    expect(e.attention.valueErr).toBe(0);
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
