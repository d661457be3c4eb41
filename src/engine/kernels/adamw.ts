// AdamW's update of one LoRA variable in three dispatches (two moments, then the parameter) instead of about
// fourteen tfjs ops, with the moments and the parameter updated in place. Same formulas as optim.ts
// (torch.optim.AdamW): m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
// p = p (1 - lr wd) - lr (m / bc1) / (sqrt(v / bc2) + eps).
//
// A kernel may not read a buffer it also writes through another binding, so each in-place update reads
// the old value from its own output (`result`, bound read_write).
import * as tf from '../tf.ts';
import type { AdamW } from '../optim.ts';
import { runKernel, f32 } from './program.ts';

const WG = 64;

/** First moment (b2 < 0) or second moment, updated in place. */
function momentsCode(n: number, b1: number, b2: number): string {
  return `
fn main(index: i32) {
  if (index >= ${n}) { return; }
  let g = G[index];
  ${b2 < 0 ? `result[index] = ${f32(b1)} * result[index] + ${f32(1 - b1)} * g;` : `result[index] = ${f32(b2)} * result[index] + ${f32(1 - b2)} * g * g;`}
}`;
}

function paramCode(n: number): string {
  return `
fn main(index: i32) {
  if (index >= ${n}) { return; }
  let upd = (M[index] / uniforms.bc1) / (sqrt(V[index] / uniforms.bc2) + uniforms.eps);
  result[index] = result[index] * uniforms.decay - uniforms.lr * upd;
}`;
}

/**
 * One AdamW step like opt.step(grads, lr), on WebGPU. Limit: writing in place assumes each variable owns
 * its GPU buffer (tf.clone of a variable shares it and would change with it).
 */
export function fusedAdamWStep(opt: AdamW, grads: tf.Tensor[], lr: number): void {
  const o = opt.beginStep();
  const { beta1, beta2, eps, weightDecay } = o.s;
  const bc1 = 1 - beta1 ** o.t,
    bc2 = 1 - beta2 ** o.t;
  o.vars.forEach((p, i) => {
    const n = p.size,
      groups = Math.ceil(n / WG);
    const mc = momentsCode(n, beta1, -1),
      vc = momentsCode(n, beta1, beta2),
      pc = paramCode(n);
    runKernel({
      key: `adam_m_${n}_${beta1}`,
      code: mc,
      inputs: { G: grads[i] },
      outShape: p.shape,
      workgroups: groups,
      workgroupSize: WG,
      output: o.m[i],
    });
    runKernel({
      key: `adam_v_${n}_${beta2}`,
      code: vc,
      inputs: { G: grads[i] },
      outShape: p.shape,
      workgroups: groups,
      workgroupSize: WG,
      output: o.v[i],
    });
    runKernel({
      key: `adam_p_${n}`,
      code: pc,
      inputs: { M: o.m[i], V: o.v[i] },
      outShape: p.shape,
      workgroups: groups,
      workgroupSize: WG,
      output: p,
      floatUniforms: { bc1, bc2, eps, decay: 1 - lr * weightDecay, lr },
    });
  });
}
