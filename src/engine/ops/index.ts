// Choosing a run's Ops (ops.ts says what they are): once, from the backend and the run's config.
//
//   const compute = runCompute(config.run)                       // what the trainer does for a run
//   const ops = chooseOps({ fusedKernels: false })               // the reference, whole logits
//   const ops = chooseOps({ fusedKernels: true, tiled: true })   // force the tiled family (bench, tests)
import * as tf from '../tf.ts';
import { backendInfo } from '../backend.ts';
import type { Compute, Ops } from './ops.ts';
import { referenceOps } from './reference.ts';
import { webgpuOps } from './webgpu.ts';
import { tiledOps } from './tiled.ts';

export type { Compute, LinearLora, Ops, OpsKind, Weight } from './ops.ts';
export { referenceOps, tiledOps, webgpuOps };

/** The op-by-op reference with whole logits: what run.fused_kernels false selects, and what tests compare with. */
export const REFERENCE: Ops = referenceOps({ chunkedLmHead: false });
const CHUNKED_REFERENCE: Ops = referenceOps({ chunkedLmHead: true });

export interface OpsChoice {
  /** run.fused_kernels: false selects the reference everywhere. */
  fusedKernels: boolean;
  /** Forces the tiled family on or off on WebGPU; absent: tiled on a software adapter only. */
  tiled?: boolean;
  /** The backend to choose for; absent: tfjs's active backend. */
  backend?: string;
}

/**
 * The Ops for a backend: the WebGPU implementations need the WebGPU backend; CPU and WASM run the
 * reference with the LM head in chunks (plain tfjs, it only bounds memory).
 */
export function chooseOps(c: OpsChoice): Ops {
  if (!c.fusedKernels) return REFERENCE;
  if ((c.backend ?? tf.getBackend()) !== 'webgpu') return CHUNKED_REFERENCE;
  return (c.tiled ?? backendInfo()?.software === true) ? tiledOps : webgpuOps;
}

/** A run's Compute from its config's run section. */
export function runCompute(run: { fused_kernels: boolean; gradient_checkpointing: boolean }): Compute {
  return { ops: chooseOps({ fusedKernels: run.fused_kernels }), gradientCheckpointing: run.gradient_checkpointing };
}
