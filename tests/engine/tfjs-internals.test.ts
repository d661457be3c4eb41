// tfjs's private internals the engine relies on (src/engine/tfjs-internals.ts) are still there: the
// @tensorflow/* packages are the exact version they were checked against, pinned in package.json, and
// each internal has the shape the adapter expects. A failure here means: tfjs moved; read the adapter's
// comments against the new tfjs source before changing TFJS_VERSION.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '../../src/engine/tf.ts';
import { initBackend } from '../../src/engine/backend.ts';
import {
  TFJS_VERSION,
  internalsProblems,
  webgpuBufferManager,
  webgpuDevice,
  withoutActiveTape,
} from '../../src/engine/tfjs-internals.ts';
import { gpuPeakBytes, releasePooledGpuBuffers, resetGpuPeak } from '../../src/engine/gpu-memory.ts';

const root = path.resolve(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const tfjsDeps = Object.entries({ ...pkg.dependencies, ...pkg.devDependencies }).filter(([n]) =>
  n.startsWith('@tensorflow/'),
) as [string, string][];

describe(`tfjs internals (checked against ${TFJS_VERSION})`, () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('every @tensorflow/* package is pinned to exactly that version in package.json', () => {
    expect(tfjsDeps.length).toBeGreaterThanOrEqual(4);
    for (const [name, range] of tfjsDeps)
      expect(range, `${name} must be pinned to "${TFJS_VERSION}" (src/engine/tfjs-internals.ts), not "${range}"`).toBe(
        TFJS_VERSION,
      );
  });

  it('and that version is what is installed', () => {
    const req = createRequire(path.join(root, 'package.json'));
    for (const [name] of tfjsDeps) {
      const installed = JSON.parse(fs.readFileSync(req.resolve(`${name}/package.json`), 'utf8')).version;
      expect(
        installed,
        `${name} ${installed} is installed, but the internals were checked against ${TFJS_VERSION}`,
      ).toBe(TFJS_VERSION);
    }
  });

  it("the engine's private state and methods the adapter reads are there", () => {
    expect(internalsProblems()).toEqual([]);
  });

  it('the WebGPU backend class has runWebGPUProgram and a tensorMap', async () => {
    const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
    expect(typeof WebGPUBackend.prototype.runWebGPUProgram, 'WebGPUBackend.runWebGPUProgram is gone').toBe('function');
    expect(String(WebGPUBackend), 'WebGPUBackend no longer keeps its tensors in this.tensorMap').toContain(
      'this.tensorMap',
    );
    // the loader's uploadNow and gpuQueueDone
    for (const m of ['uploadToGPU', 'submitQueue', 'endComputePassEncoder'] as const)
      expect(typeof WebGPUBackend.prototype[m], `WebGPUBackend.${m} is gone`).toBe('function');
    expect(String(WebGPUBackend), 'WebGPUBackend no longer keeps its encoder in this.commandEncoder').toContain(
      'this.commandEncoder',
    );
  });

  it('withoutActiveTape: a gradient taken inside a backward pass leaves the outer one intact', () => {
    const before = tf.memory().numTensors;
    // d/dx of sum(f(x)) where f's gradient is computed by an inner tf.grad: f(x) = x^3, f' = 3x^2
    const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const x = args[0] as tf.Tensor;
      (args[1] as tf.GradSaveFunc)([x]);
      return {
        value: tf.pow(x, 3),
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
          tf.mul(
            dy,
            withoutActiveTape(() => tf.grad((z: tf.Tensor) => tf.sum(tf.pow(z, 3)))(saved[0])),
          ),
      };
    });
    const g = tf.grad((x: tf.Tensor) => tf.sum(f(x) as tf.Tensor))(tf.tensor1d([1, 2, 3]));
    expect(Array.from(g.dataSync())).toEqual([3, 12, 27]);
    g.dispose();
    expect(tf.memory().numTensors).toBeLessThanOrEqual(before + 1); // the input tensor
  });
});

// tfjs's WebGPU backend builds without a GPU: its constructor only stores the device it is given. Running
// its own buffer manager on a stand-in device checks the fields and methods gpu-memory.ts relies on by
// what they do, not by name only.
describe("the WebGPU backend's buffer manager and device, on a stand-in device", () => {
  const nav = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  const destroyed: number[] = [];
  const device = {
    queue: {},
    features: new Set<string>(),
    limits: {},
    createBuffer: (d: { size: number; usage: number }) => ({
      size: d.size,
      usage: d.usage,
      destroy: () => destroyed.push(d.size),
    }),
  };
  let backend: unknown;
  beforeAll(async () => {
    Object.defineProperty(globalThis, 'navigator', { value: { gpu: {} }, configurable: true }); // "WebGPU is supported"
    const { WebGPUBackend } = await import('@tensorflow/tfjs-backend-webgpu');
    backend = new WebGPUBackend(device as unknown as GPUDevice);
  });
  afterAll(() => {
    if (nav) Object.defineProperty(globalThis, 'navigator', nav);
    else delete (globalThis as { navigator?: unknown }).navigator;
  });

  it('webgpuDevice: the device the backend runs on', () => {
    expect(webgpuDevice(backend), 'WebGPUBackend no longer keeps its GPUDevice in this.device').toBe(device);
  });

  it('the peak and the release of pooled buffers follow what the manager allocates and pools', () => {
    const m = webgpuBufferManager(backend)!;
    expect(m, 'WebGPUBackend no longer has a bufferManager with numBytesAllocated').not.toBeNull();
    const raw = m as unknown as { releaseBuffer(b: GPUBuffer): void };
    expect(typeof raw.releaseBuffer, 'BufferManager.releaseBuffer is gone').toBe('function');
    resetGpuPeak(m);
    const a = m.acquireBuffer(1024, 128),
      b = m.acquireBuffer(4096, 128);
    expect(m.numBytesAllocated, 'acquireBuffer no longer counts its bytes in numBytesAllocated').toBe(5120);
    raw.releaseBuffer(a);
    raw.releaseBuffer(b);
    expect(m.numFreeBuffers, 'releaseBuffer no longer pools buffers (numFreeBuffers)').toBe(2);
    expect([...m.freeBuffers.values()].flat().length, 'the pool is no longer freeBuffers: Map<key, GPUBuffer[]>').toBe(
      2,
    );
    expect(gpuPeakBytes(m)).toBe(5120);
    expect(releasePooledGpuBuffers(m)).toBe(5120);
    expect(destroyed.sort((x, y) => x - y)).toEqual([1024, 4096]);
    expect([m.numBytesAllocated, m.numFreeBuffers]).toEqual([0, 0]);
    const c = m.acquireBuffer(256, 128); // a new buffer after the release, not one from the emptied pool
    expect(m.numBytesAllocated).toBe(256);
    raw.releaseBuffer(c);
    resetGpuPeak(m);
    expect(gpuPeakBytes(m)).toBe(256);
  });
});
