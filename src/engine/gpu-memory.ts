// GPU memory as WebGPU holds it, not as tfjs counts tensors: the bytes of every buffer the WebGPU backend
// has created and not destroyed (tfjs's buffer manager keeps a freed buffer in a pool for reuse, so the
// pool counts too; that is what the GPU holds), and the peak of that figure. tf.memory().numBytes counts
// tensors, sees neither the pool nor buffers shared between tensors, and is not what a GPU runs out of.
//
//   trackGpuMemory(); ...; gpuPeakBytes()    // null on backends without GPU buffers (CPU, WASM)
//   releasePooledGpuBuffers()                // destroys the pool's idle buffers (e.g. the sampler's, before training)
//
// The buffer manager is tfjs's private state, reached through tfjs-internals.ts. Each function takes the
// manager to work on (tests pass a WebGPU backend's on a stand-in device); by default the active backend's.
import { webgpuBufferManager, type BufferManagerLike } from './tfjs-internals.ts';

const manager = (): BufferManagerLike | null => webgpuBufferManager();

/** Starts following the peak (idempotent); the peak starts at what is allocated now. */
export function trackGpuMemory(m = manager()): void {
  if (!m || m.__webgrpoPeak !== undefined) return;
  m.__webgrpoPeak = m.numBytesAllocated;
  const acquire = m.acquireBuffer.bind(m);
  m.acquireBuffer = (...a: unknown[]) => {
    const b = acquire(...a);
    if (m.numBytesAllocated > m.__webgrpoPeak!) m.__webgrpoPeak = m.numBytesAllocated;
    return b;
  };
}

/** Bytes of GPU buffers allocated now (in use and pooled), or null without a WebGPU backend. */
export function gpuAllocatedBytes(m = manager()): number | null {
  return m?.numBytesAllocated ?? null;
}

/** The most bytes allocated at once since tracking started or the last reset, or null without WebGPU. */
export function gpuPeakBytes(m = manager()): number | null {
  if (!m) return null;
  trackGpuMemory(m);
  return Math.max(m.__webgrpoPeak ?? 0, m.numBytesAllocated);
}

/** Starts a new peak from what is allocated now. */
export function resetGpuPeak(m = manager()): void {
  if (!m) return;
  trackGpuMemory(m);
  m.__webgrpoPeak = m.numBytesAllocated;
}

/**
 * Destroys the idle buffers of tfjs's pool (those of tensors already disposed), so that a phase with other
 * buffer sizes (training after sampling) does not add its buffers on top of the last phase's. Returns the
 * bytes freed. Buffers in use are untouched; a later allocation of a released size creates a new buffer.
 */
export function releasePooledGpuBuffers(m = manager()): number {
  if (!m) return 0;
  let freed = 0;
  for (const list of m.freeBuffers.values()) {
    for (const b of list) {
      freed += b.size;
      b.destroy();
    }
    m.numFreeBuffers -= list.length;
    list.length = 0;
  }
  m.numBytesAllocated -= freed;
  return freed;
}
