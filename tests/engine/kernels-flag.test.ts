// The fusion flag: fused kernels only on WebGPU; on CPU the sampler keeps the op-by-op reference path and
// gives the same tokens whatever the setting. The tiled kernel family: only with fused kernels active, and
// chosen for software adapters.
import { describe, it, expect, afterEach } from 'vitest';
import * as tf from '../../src/engine/tf.ts';
import { initBackend } from '../../src/engine/backend.ts';
import { fusedActive, setFused, setTiled, tiledActive } from '../../src/engine/kernels/flag.ts';
import { isSoftwareAdapter, adapterName } from '../../src/engine/adapter.ts';
import { CausalLM } from '../../src/engine/model/model.ts';
import { randomWeights } from '../../src/engine/bench/run.ts';
import { BENCH_SHAPES } from '../../src/engine/bench/shapes.ts';
import { sampleBatch } from '../../src/engine/sampler.ts';
import { Rng } from '../../src/engine/rng.ts';

describe('fusion flag', () => {
  afterEach(() => setFused('auto')); // the default

  it('is off on the CPU backend whatever the setting, and the sampler then agrees with itself', async () => {
    await initBackend('cpu');
    setFused(true);
    expect(fusedActive()).toBe(false);
    const before = tf.memory().numTensors;
    const model = new CausalLM(BENCH_SHAPES.demo.spec, randomWeights(BENCH_SHAPES.demo.spec, 3, { proj: () => 0.2 }));
    const run = async () =>
      (
        await sampleBatch(
          model,
          null,
          [
            [1, 2, 3],
            [4, 5],
          ],
          {
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
    const a = await run();
    setFused(false);
    expect(await run()).toEqual(a);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
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

  it('tiled kernels need the fused kernels active (never on CPU or WASM), even when forced', async () => {
    await initBackend('cpu');
    setTiled(true);
    expect(tiledActive()).toBe(false);
    setTiled(null);
  });
});
