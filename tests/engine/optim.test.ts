import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '../../src/engine/tf.ts';
import { initBackend } from '../../src/engine/backend.ts';
import { AdamW, clipGradNorm, learningRateAt } from '../../src/engine/optim.ts';
import { defaultRunConfig, parseRunConfig } from '../../src/engine/config.ts';

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
  // transformers' lr_lambda functions, written from their formulas (num_warmup_steps = ceil(ratio x total))
  const warmup = (s: number, w: number) => s / Math.max(1, w);
  const reference: Record<string, (s: number, w: number, t: number) => number> = {
    constant: () => 1,
    constant_with_warmup: (s, w) => (s < w ? warmup(s, w) : 1),
    linear: (s, w, t) => (s < w ? warmup(s, w) : Math.max(0, (t - s) / Math.max(1, t - w))),
    cosine: (s, w, t) =>
      s < w ? warmup(s, w) : Math.max(0, 0.5 * (1 + Math.cos(Math.PI * 2 * 0.5 * ((s - w) / Math.max(1, t - w))))),
    cosine_with_min_lr: (s, w, t) =>
      s < w
        ? warmup(s, w)
        : Math.max(0, 0.5 * (1 + Math.cos(Math.PI * ((s - w) / Math.max(1, t - w)))) * (1 - 0.1) + 0.1),
  };
  it.each(Object.keys(reference))('%s matches transformers at every update', (type) => {
    const cfg = {
      ...o,
      warmup_ratio: type === 'constant' ? 0 : 0.1,
      lr_scheduler_type: type as typeof o.lr_scheduler_type,
      lr_scheduler_kwargs: type === 'cosine_with_min_lr' ? { min_lr_rate: 0.1 } : {},
    };
    for (const total of [7, 100])
      for (let s = 0; s < total; s++)
        expect(learningRateAt(s, total, cfg)).toBeCloseTo(
          reference[type](s, Math.ceil(cfg.warmup_ratio * total), total),
          12,
        );
  });
  it('warms up linearly from 0; constant has no warm-up', () => {
    const w = { ...o, lr_scheduler_type: 'constant_with_warmup' as const };
    expect(learningRateAt(0, 100, w)).toBe(0);
    expect(learningRateAt(5, 100, w)).toBeCloseTo(0.5);
    expect(learningRateAt(10, 100, w)).toBe(1);
    expect(learningRateAt(0, 100, { ...o, lr_scheduler_type: 'constant', warmup_ratio: 0 })).toBe(1);
  });
  it('refuses a warm-up the schedule would ignore and a floor without cosine_with_min_lr', () => {
    expect(() => parseRunConfig({ optim: { warmup_ratio: 0.1 } })).toThrow(/constant_with_warmup/);
    expect(() => parseRunConfig({ optim: { lr_scheduler_type: 'cosine_with_min_lr' } })).toThrow(/min_lr_rate/);
    expect(() =>
      parseRunConfig({ optim: { lr_scheduler_type: 'linear', lr_scheduler_kwargs: { min_lr_rate: 0.1 } } }),
    ).toThrow(/only to lr_scheduler_type cosine_with_min_lr/);
  });
  it('reads a config saved with the old floor and warm-up names with their old meaning', () => {
    const c = parseRunConfig({ optim: { lr_scheduler_type: 'cosine', warmup_ratio: 0.1, min_lr_rate: 0.2 } });
    expect(c.optim.lr_scheduler_type).toBe('cosine_with_min_lr');
    expect(c.optim.lr_scheduler_kwargs.min_lr_rate).toBe(0.2);
    const k = parseRunConfig({ optim: { lr_scheduler_type: 'constant', warmup_ratio: 0.1, min_lr_rate: 0 } });
    expect(k.optim.lr_scheduler_type).toBe('constant_with_warmup');
  });
});
