// Whether the forward pass, the sampler and the training step use the fused WebGPU kernels of this folder
// or the op-by-op tfjs path (the reference they are checked against). 'auto' means fused on the WebGPU
// backend and op-by-op on CPU and WASM, where the kernels cannot run.
//
// The default is 'auto'; a run's `run.fused_kernels: false` turns them off for that run (worker/session.ts).
//
//   setFused(false)   // force the reference path (bench --no-fused, parity tests of the fused path)
import * as tf from '../tf.ts';

export type FusedSetting = boolean | 'auto';

let setting: FusedSetting = 'auto';

export function setFused(s: FusedSetting): void {
  setting = s;
}

export function fusedSetting(): FusedSetting {
  return setting;
}

/** True when the fused kernels apply now: enabled (or auto) and the active backend is WebGPU. */
export function fusedActive(): boolean {
  return setting !== false && tf.getBackend() === 'webgpu';
}
