// Every use of tfjs's private internals, each behind one small function with why it is needed: the
// engine's active tape (gradient checkpointing), the WebGPU backend's program runner, tensor map, upload
// and queue methods (hand-written kernels, the streaming loader), its buffer manager (GPU memory as WebGPU
// holds it: gpu-memory.ts) and its device (device loss). Nothing else in src/ reaches past tfjs's public
// types. They were checked against the exact tfjs version pinned in package.json (TFJS_VERSION below);
// tests/engine/tfjs-internals.test.ts fails, naming what moved, when the version or their shapes change
// (it runs the WebGPU backend's own code on a stand-in device, so it needs no GPU).
// On an upgrade: read each function's comment against the new tfjs source, then update TFJS_VERSION.
import * as tf from './tf.ts';

/** The @tensorflow/* version these internals were checked against (package.json pins it exactly). */
export const TFJS_VERSION = '4.22.0';

/** The engine's private state: the tape of the gradient computation in progress. */
interface EngineState {
  activeTape: unknown;
}

const engineState = () => (tf.engine() as unknown as { state: EngineState }).state;

/**
 * Runs a gradient computation inside another's backward pass (gradient checkpointing, model.ts). tfjs's
 * engine keeps the outer tape in one field (`state.activeTape`) until its backward pass ends, and a
 * gradient computation started then replaces it and clears it when done (the outer pass then fails, and
 * leaks what its tape saved): keep the outer tape aside meanwhile. No public API nests gradients this way.
 */
export function withoutActiveTape<T>(f: () => T): T {
  const state = engineState();
  const outer = state.activeTape;
  state.activeTape = null;
  try {
    return f();
  } finally {
    state.activeTape = outer;
  }
}

/** The subset of tfjs-backend-webgpu's WebGPUBackend that kernels/program.ts uses. */
export interface WebGPUBackendLike {
  runWebGPUProgram(
    program: object,
    inputs: tf.TensorInfo[],
    dtype: tf.DataType,
    uniforms?: Array<{ type: string; data: number[] }>,
    output?: tf.TensorInfo,
  ): tf.TensorInfo;
  tensorMap: { get(dataId: object): { values: unknown } | undefined };
}

/**
 * The active WebGPU backend, to run hand-written WGSL through its own command encoder and memory
 * accounting (`runWebGPUProgram` is public on the class but not in tfjs-core's backend type).
 */
export function webgpuBackend(): WebGPUBackendLike {
  return tf.backend() as unknown as WebGPUBackendLike;
}

/** A tensor of the active backend from what a program run returned (the engine's own method for it). */
export function tensorFromInfo(info: tf.TensorInfo): tf.Tensor {
  return tf.engine().makeTensorFromTensorInfo(info);
}

/**
 * Forgets the CPU copy of a tensor's values after a kernel wrote its GPU buffer in place. The WebGPU
 * backend caches a tensor's values on the CPU when it is read (data(), a checkpoint) and answers later
 * reads from that copy (`tensorMap.get(dataId).values`); tfjs has no public way to invalidate it.
 */
export function dropCpuCopy(t: tf.Tensor): void {
  const entry = webgpuBackend().tensorMap.get(t.dataId);
  if (!entry) throw new Error('tfjs internals changed: the WebGPU backend has no tensorMap entry for a live tensor');
  entry.values = null;
}

interface WebGPUQueueLike {
  device: GPUDevice;
  commandEncoder: unknown;
  endComputePassEncoder(): void;
  submitQueue(): void;
  uploadToGPU(dataId: object): void;
}

const webgpuQueue = () => tf.backend() as unknown as WebGPUQueueLike;

/**
 * Puts a new tensor's values on the GPU now (no-op on other backends). tfjs's WebGPU backend keeps a new
 * tensor's values on the host until its first use, so a model load would hold every weight on the host
 * until the first forward pass; `uploadToGPU` is public on the backend class but not in tfjs-core's type.
 */
export function uploadNow(t: tf.Tensor): void {
  if (tf.getBackend() === 'webgpu') webgpuQueue().uploadToGPU(t.dataId);
}

/**
 * Submits the commands tfjs has encoded but not submitted (it batches dispatches and buffer copies) and
 * waits until the GPU queue has done them. Chromium hands uploaded bytes to its GPU process as the page's
 * commands are flushed, so a loader that waits here after each weight never has more than one in flight.
 */
export async function gpuQueueDone(): Promise<void> {
  if (tf.getBackend() !== 'webgpu') return;
  const b = webgpuQueue();
  if (b.commandEncoder) {
    b.endComputePassEncoder();
    b.submitQueue();
  }
  await b.device.queue.onSubmittedWorkDone();
}

/** The subset of tfjs-backend-webgpu's BufferManager (the backend's `bufferManager` field) gpu-memory.ts uses. */
export interface BufferManagerLike {
  numBytesAllocated: number; // bytes of every buffer created and not destroyed: in use and pooled
  numFreeBuffers: number;
  freeBuffers: Map<string, GPUBuffer[]>; // the pool of released buffers, by size and usage
  acquireBuffer(...a: unknown[]): GPUBuffer; // every buffer the backend allocates comes from here
  __webgrpoPeak?: number; // gpu-memory.ts's own field: the peak of numBytesAllocated
}

/**
 * The WebGPU backend's buffer manager, or null on other backends. tfjs reports the bytes of tensors, not
 * of buffers; the manager holds what the GPU really has (its pool of freed buffers too), and is the only
 * place a pool's idle buffers can be destroyed. `backend` defaults to the active one (tests pass another).
 */
export function webgpuBufferManager(backend: unknown = webgpuOrNull()): BufferManagerLike | null {
  const m = (backend as { bufferManager?: BufferManagerLike } | null)?.bufferManager;
  return m && typeof m.numBytesAllocated === 'number' ? m : null;
}

/**
 * The GPUDevice the WebGPU backend runs on, or null on other backends: the worker watches its `lost`
 * promise to tell the page a device loss from an error (the backend's `device` field is not in tfjs-core's
 * backend type).
 */
export function webgpuDevice(backend: unknown = webgpuOrNull()): GPUDevice | null {
  return (backend as { device?: GPUDevice } | null)?.device ?? null;
}

const webgpuOrNull = (): unknown => (tf.getBackend() === 'webgpu' ? tf.backend() : null);

/** What of the internals is missing right now ([] when all is as checked); the test reports these. */
export function internalsProblems(): string[] {
  const problems: string[] = [];
  // the tape is set while a gradient computation records its forward pass
  let tape: unknown = null;
  tf.tidy(() =>
    tf.grad((x: tf.Tensor) => {
      tape = engineState().activeTape;
      return tf.sum(x);
    })(tf.scalar(1)),
  );
  if (!Array.isArray(tape)) problems.push('tf.engine().state.activeTape is gone (gradient checkpointing)');
  if (typeof (tf.engine() as unknown as { makeTensorFromTensorInfo?: unknown }).makeTensorFromTensorInfo !== 'function')
    problems.push('tf.engine().makeTensorFromTensorInfo is gone (kernels/program.ts)');
  return problems;
}
