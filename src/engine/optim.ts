// AdamW over the LoRA parameters (decoupled weight decay, bias-corrected moments, as torch.optim.AdamW),
// global-norm gradient clipping (torch.nn.utils.clip_grad_norm_), and the learning-rate schedules of
// transformers' get_scheduler: constant, constant_with_warmup, linear, cosine and cosine_with_min_lr.
import * as tf from './tf.ts';
import type { RunConfig } from './config.ts';

export interface AdamWSettings {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export interface AdamWState {
  step: number;
  m: Float32Array[];
  v: Float32Array[];
}

export class AdamW {
  private m: tf.Variable[];
  private v: tf.Variable[];
  private t = 0;

  constructor(
    private readonly vars: tf.Variable[],
    private readonly s: AdamWSettings,
  ) {
    // tidy frees the initial values; a variable keeps its own reference to the data
    this.m = vars.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false)));
    this.v = vars.map((x) => tf.tidy(() => tf.variable(tf.zerosLike(x), false)));
  }

  get stepCount(): number {
    return this.t;
  }

  /**
   * Counts one more update and gives what it needs: the parameters, both moments and the settings. step()
   * below uses it, and so does the in-place WebGPU update (kernels/adamw.ts), which must match it.
   */
  beginStep(): { vars: tf.Variable[]; m: tf.Variable[]; v: tf.Variable[]; s: AdamWSettings; t: number } {
    this.t += 1;
    return { vars: this.vars, m: this.m, v: this.v, s: this.s, t: this.t };
  }

  /** One update with gradients in the order of the variables. */
  step(grads: tf.Tensor[], lr: number): void {
    const { t } = this.beginStep();
    const { beta1, beta2, eps, weightDecay } = this.s;
    const bc1 = 1 - beta1 ** t,
      bc2 = 1 - beta2 ** t;
    tf.tidy(() => {
      this.vars.forEach((p, i) => {
        const g = grads[i];
        const m = tf.add(tf.mul(this.m[i], beta1), tf.mul(g, 1 - beta1));
        const v = tf.add(tf.mul(this.v[i], beta2), tf.mul(tf.square(g), 1 - beta2));
        this.m[i].assign(m);
        this.v[i].assign(v);
        const update = tf.div(tf.div(m, bc1), tf.add(tf.sqrt(tf.div(v, bc2)), eps));
        const decayed = weightDecay > 0 ? tf.mul(p, 1 - lr * weightDecay) : p;
        p.assign(tf.sub(decayed, tf.mul(update, lr)));
      });
    });
  }

  async exportState(): Promise<AdamWState> {
    const read = (xs: tf.Variable[]) =>
      Promise.all(xs.map(async (x) => Float32Array.from((await x.data()) as Float32Array)));
    return { step: this.t, m: await read(this.m), v: await read(this.v) };
  }

  importState(st: AdamWState): void {
    if (st.m.length !== this.m.length)
      throw new Error(
        `optimizer state has ${st.m.length} tensors, the adapter ${this.m.length}: it belongs to another LoRA configuration`,
      );
    this.t = st.step;
    tf.tidy(() => {
      this.m.forEach((x, i) => x.assign(tf.tensor(st.m[i], x.shape)));
      this.v.forEach((x, i) => x.assign(tf.tensor(st.v[i], x.shape)));
    });
  }

  dispose(): void {
    tf.dispose([...this.m, ...this.v]);
  }
}

/** The sum of the squares of every element of the tensors (a squared global L2 norm). */
export function sumOfSquares(ts: tf.Tensor[]): tf.Scalar {
  // stack + sum rather than addN: addN of more than seven tensors drops the rest on tfjs's WebGPU backend
  return tf.tidy(() => tf.sum(tf.stack(ts.map((g) => tf.sum(tf.square(g))))));
}

/** Scales gradients so that their global L2 norm is at most maxNorm (0: no clipping); returns the norm before clipping. */
export async function clipGradNorm(grads: tf.Tensor[], maxNorm: number): Promise<{ grads: tf.Tensor[]; norm: number }> {
  const normT = tf.tidy(() => tf.sqrt(sumOfSquares(grads)));
  const norm = (await normT.data())[0];
  normT.dispose();
  if (!(maxNorm > 0) || norm <= maxNorm) return { grads, norm };
  const scale = maxNorm / (norm + 1e-6);
  const clipped = grads.map((g) => tf.mul(g, scale));
  tf.dispose(grads);
  return { grads: clipped, norm };
}

/**
 * Learning rate at optimiser update `step` (0-based) of `total`, as transformers' get_scheduler with
 * num_warmup_steps = ceil(warmup_ratio x total): constant ignores the warm-up; the others rise linearly
 * from 0 over it, then stay (constant_with_warmup), fall linearly to 0 (linear), along a half cosine to 0
 * (cosine) or to lr_scheduler_kwargs.min_lr_rate of the peak (cosine_with_min_lr).
 */
export function learningRateAt(step: number, total: number, o: RunConfig['optim']): number {
  const type = o.lr_scheduler_type;
  if (type === 'constant') return o.learning_rate;
  const warm = Math.ceil(o.warmup_ratio * total);
  if (step < warm) return (o.learning_rate * step) / Math.max(1, warm); // as transformers: 0 at the first update
  const progress = Math.min(1, (step - warm) / Math.max(1, total - warm));
  let frac = 1;
  if (type === 'linear') frac = 1 - progress;
  if (type === 'cosine' || type === 'cosine_with_min_lr') frac = 0.5 * (1 + Math.cos(Math.PI * progress));
  if (type === 'cosine_with_min_lr') {
    const floor = o.lr_scheduler_kwargs.min_lr_rate ?? 0;
    frac = floor + (1 - floor) * frac;
  }
  return o.learning_rate * Math.max(0, frac);
}
