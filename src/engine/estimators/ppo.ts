// PPO's advantages for a batch of completions: the value head's estimates at rollout time, GAE over each
// completion's tokens, whitening over the batch, then mu passes of the clipped value loss on the value
// head (its own AdamW). The policy update itself is the shared policyStep with per-token advantages.
//
//   const critic = new PpoCritic(model.spec.hidden, config, seed)
//   const { tokenAdvantages, metrics } = await critic.estimate(model, lora, compute, rows, rewards, lr, padId)
//
// Departure from PPO as in TRL: the value head trains on features of the rollout-time policy, before the
// policy update of the same step (the features are fixed, so the order does not change the result), and
// one generated batch serves num_iterations passes of both losses.
import * as tf from '../tf.ts';
import type { RunConfig } from '../config.ts';
import type { CausalLM } from '../model/model.ts';
import type { LoraAdapter } from '../lora.ts';
import type { Compute, Ops } from '../ops/ops.ts';
import { AdamW } from '../optim.ts';
import { accumulateGradients, optimizerStep, type MicroLoss } from '../gradients.ts';
import { CheckpointCorruptError } from '../snapshot.ts';
import { makeChunks, type TrainRow } from '../update.ts';
import { clippedValueLoss, trunkStates, ValueHead, VALUE_HEAD_HIDDEN } from './value-head.ts';
import { mean } from '../stats.ts';
import { explainedVariance, maskedGae, terminalRewards, whiten } from './gae.ts';

export interface PpoEstimate {
  tokenAdvantages: number[][]; // [N][C_i] whitened GAE advantages
  values: number[][]; // [N][C_i] rollout-time values
  metrics: Record<string, number>; // value_loss, explained_variance, value_clipfrac, values/mean, returns/mean
}

export class PpoCritic {
  readonly head: ValueHead;
  private readonly optim: AdamW;

  constructor(
    D: number,
    private readonly config: RunConfig,
    seed: number,
  ) {
    this.head = ValueHead.create(D, VALUE_HEAD_HIDDEN, seed);
    const o = config.optim;
    this.optim = new AdamW(this.head.vars, {
      beta1: o.adam_beta1,
      beta2: o.adam_beta2,
      eps: o.adam_epsilon,
      weightDecay: o.weight_decay,
    });
  }

  /** rows: the trained completions; rewards [N] their totals (null: unscored, treated as 0). */
  async estimate(
    model: CausalLM,
    lora: LoraAdapter,
    compute: Compute,
    rows: TrainRow[],
    rewards: (number | null)[],
    lr: number,
    padId: number,
  ): Promise<PpoEstimate> {
    const g = this.config.grpo;
    const { chunks, tokens } = makeChunks(rows, padId, this.config.run.micro_batch_size);
    const feats = chunks.map((c) => trunkStates(model, lora, c.batch, compute)); // [n, C, D] each
    try {
      const old: number[][] = [];
      for (const f of feats) {
        const v = this.head.predict(f);
        old.push(...(await v.array()));
        v.dispose();
      } // [N][C]
      const values = rows.map((r, i) => old[i].slice(0, r.completionIds.length));
      const gaes = rows.map((r, i) =>
        maskedGae(
          r.tokenRewards ?? terminalRewards(rewards[i] ?? 0, r.completionIds.length),
          values[i],
          r.lossMask,
          g.gamma,
          g.lam,
        ),
      );
      const own = rows.map((r) => r.completionIds.map((_, t) => (r.counts ? (r.lossMask?.[t] ?? 1) : 0)));
      const tokenAdvantages = whiten(
        gaes.map((x) => x.advantages),
        own,
      );
      const C = old[0].length,
        pad = (xs: number[]) => [...xs, ...Array(C - xs.length).fill(0)];
      const returns = gaes.map((x) => pad(x.returns)),
        masks = chunks.flatMap((c) => c.completionMask);
      const fit = await this.fit(feats, old, returns, masks, tokens, lr, compute.ops);
      const flatV = values.flatMap((v, i) => v.filter((_, t) => own[i][t])),
        flatR = gaes.flatMap((x, i) => x.returns.filter((_, t) => own[i][t]));
      return {
        tokenAdvantages,
        values,
        metrics: {
          value_loss: fit.loss,
          value_clipfrac: fit.clipFrac,
          explained_variance: explainedVariance(flatV, flatR),
          'values/mean': mean(flatV),
          'returns/mean': mean(flatR),
        },
      };
    } finally {
      tf.dispose(feats);
    }
  }

  /** num_iterations passes of the clipped value loss over the micro-batches, one AdamW update per pass. */
  private async fit(
    feats: tf.Tensor3D[],
    old: number[][],
    returns: number[][],
    masks: number[][],
    tokens: number,
    lr: number,
    ops: Ops,
  ): Promise<{ loss: number; clipFrac: number }> {
    const g = this.config.grpo,
      passes: number[][] = [];
    const starts = feats.map((_, i) => feats.slice(0, i).reduce((n, f) => n + f.shape[0], 0));
    for (let it = 0; it < g.num_iterations; it++) {
      const losses = feats.map((f, i) => (): MicroLoss => {
        const n = f.shape[0],
          slice = <T>(xs: T[]) => xs.slice(starts[i], starts[i] + n);
        const inp = {
          values: this.head.predict(f),
          oldValues: tf.tensor2d(slice(old)),
          returns: tf.tensor2d(slice(returns)),
          mask: tf.tensor2d(slice(masks)),
        };
        const out = clippedValueLoss(inp, g.vf_coef, g.cliprange_value, tokens);
        return { loss: out.loss, extras: [tf.mul(out.clipFrac, n / old.length) as tf.Scalar] };
      });
      const r = await accumulateGradients(this.head.vars, losses);
      await optimizerStep(this.optim, r.grads, { lr, maxGradNorm: this.config.optim.max_grad_norm, ops });
      // vf_coef is divided out so value_loss reads as the squared error
      passes.push([r.loss / Math.max(g.vf_coef, 1e-12), r.extras.reduce((a, e) => a + e[0], 0)]);
    }
    return { loss: mean(passes.map((p) => p[0])), clipFrac: mean(passes.map((p) => p[1])) };
  }

  /** Head weights and optimiser moments for a checkpoint. */
  async exportTensors(): Promise<Record<string, { shape: number[]; data: Float32Array }>> {
    const out: Record<string, { shape: number[]; data: Float32Array }> = {};
    for (const [i, v] of this.head.vars.entries())
      out[`value_head.${i}`] = { shape: v.shape, data: Float32Array.from((await v.data()) as Float32Array) };
    const os = await this.optim.exportState();
    os.m.forEach((m, i) => {
      out[`value_head.optimizer.m.${i}`] = { shape: [m.length], data: m };
    });
    os.v.forEach((v, i) => {
      out[`value_head.optimizer.v.${i}`] = { shape: [v.length], data: v };
    });
    out['value_head.optimizer.step'] = { shape: [1], data: Float32Array.of(os.step) };
    return out;
  }

  importTensors(t: Record<string, { shape: number[]; data: Float32Array }>): void {
    const missing = this.head.vars.map((_, i) => `value_head.${i}`).filter((k) => !t[k]);
    if (missing.length)
      throw new CheckpointCorruptError(
        `the checkpoint lacks the value head (${missing.join(', ')}): it was saved by a run with another advantage_estimator`,
      );
    tf.tidy(() => this.head.vars.forEach((v, i) => v.assign(tf.tensor(t[`value_head.${i}`].data, v.shape))));
    const vec = (k: 'm' | 'v') =>
      this.head.vars.map((_, i) => t[`value_head.optimizer.${k}.${i}`]?.data ?? new Float32Array(0));
    this.optim.importState({ step: t['value_head.optimizer.step']?.data[0] ?? 0, m: vec('m'), v: vec('v') });
  }

  dispose(): void {
    this.optim.dispose();
    this.head.dispose();
  }
}
