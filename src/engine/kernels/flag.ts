// Whether the forward pass, the sampler and the training step use the fused WebGPU kernels of this folder
// or the op-by-op tfjs path (the reference they are checked against). 'auto' means fused on the WebGPU
// backend and op-by-op on CPU and WASM, where the kernels cannot run.
//
// The default is 'auto'; a run's `run.fused_kernels: false` turns them off for that run (worker/session.ts).
//
// Within the fused path the training pass has two kernel families: tfjs's own shared-memory matMul and
// reductions (hardware GPUs), or the register-tiled matmuls and row kernels of matmul.ts and rows.ts,
// which avoid workgroup memory and barriers (software adapters such as SwiftShader, where they are ~8x
// faster). `tiledActive` picks them by the adapter; `setTiled` forces a choice (bench --kernels, tests).
//
//   setFused(false)   // force the reference path (bench --no-fused, parity tests of the fused path)
import * as tf from '../tf.ts';
import { backendInfo } from '../backend.ts';

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

let tiledOverride: boolean | null = null;

/** Forces the tiled kernels on or off whatever the adapter; null: decide by the adapter. */
export function setTiled(on: boolean | null): void {
  tiledOverride = on;
}

/** True when the training pass uses the tiled matmuls and row kernels: fused kernels active and a software adapter (or forced). */
export function tiledActive(): boolean {
  return fusedActive() && (tiledOverride ?? backendInfo()?.software === true);
}
