import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '../../src/engine/tf.ts';
import { initBackend } from '../../src/engine/backend.ts';
import { AdamW, clipGradNorm, learningRateAt } from '../../src/engine/optim.ts';
import { defaultRunConfig } from '../../src/engine/config.ts';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('AdamW', () => {
  it('matches torch.optim.AdamW on a hand-computed sequence', async () => {
    const p = tf.variable(tf.tensor1d([1, -2]));
    const opt = new AdamW([p], { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.1 });
    const grads = [
      [0.5, -1],
      [0.25, 0.5],
    ];
    // torch reference by hand: p <- p(1 - lr wd); m, v moments; p -= lr * mhat / (sqrt(vhat) + eps)
    let ref = [1, -2],
      m = [0, 0],
      v = [0, 0];
    grads.forEach((g, t) => {
      m = m.map((x, i) => 0.9 * x + 0.1 * g[i]);
      v = v.map((x, i) => 0.999 * x + 0.001 * g[i] ** 2);
      ref = ref.map(
        (x, i) =>
          x * (1 - 0.01 * 0.1) -
          (0.01 * (m[i] / (1 - 0.9 ** (t + 1)))) / (Math.sqrt(v[i] / (1 - 0.999 ** (t + 1))) + 1e-8),
      );
      const gt = tf.tensor1d(g);
      opt.step([gt], 0.01);
      gt.dispose();
    });
    const got = await p.data();
    ref.forEach((x, i) => expect(got[i]).toBeCloseTo(x, 6));
    const st = await opt.exportState();
    expect(st.step).toBe(2);
    opt.dispose();
    p.dispose();
  });

  it('clips the global norm and reports the norm before clipping', async () => {
    const g = [tf.tensor1d([3, 0]), tf.tensor1d([0, 4])];
    const { grads, norm } = await clipGradNorm(g, 1);
    expect(norm).toBeCloseTo(5, 5);
    const after = Math.hypot(...(await grads[0].data()), ...(await grads[1].data()));
    expect(after).toBeCloseTo(1, 4);
    tf.dispose(grads);
  });
});

describe('learning-rate schedules (as transformers.get_scheduler)', () => {
  const o = { ...defaultRunConfig().optim, learning_rate: 1, warmup_ratio: 0.1 };
  it('warms up linearly from 0', () => {
    expect(learningRateAt(0, 100, o)).toBe(0);
    expect(learningRateAt(5, 100, o)).toBeCloseTo(0.5);
    expect(learningRateAt(10, 100, o)).toBe(1);
  });
  it('decays linearly, by cosine, with a floor', () => {
    expect(learningRateAt(55, 100, { ...o, lr_scheduler_type: 'linear' })).toBeCloseTo(0.5);
    expect(learningRateAt(55, 100, { ...o, lr_scheduler_type: 'cosine' })).toBeCloseTo(0.5);
    expect(learningRateAt(100, 100, { ...o, lr_scheduler_type: 'cosine', min_lr_rate: 0.1 })).toBeCloseTo(0.1);
    expect(learningRateAt(80, 100, { ...o, lr_scheduler_type: 'constant' })).toBe(1);
  });
});
