// The advantage estimators behind `grpo.advantage_estimator`, one table for the trainer:
//   grpo, rloo  one advantage per completion from its group                 (advantages.ts)
//   vineppo     per-step advantages from Monte Carlo values of step prefixes  (vineppo.ts, vine-rollouts.ts)
//   ppo         per-token GAE advantages from a learned value head            (ppo.ts, gae.ts, value-head.ts)
//
//   const est = new AdvantageEstimator(config, model, seed)
//   const { rows, perRow, values, histograms } = await est.estimate(ctx, roll.kept, rows, lr)
import type { RunConfig } from '../config.ts';
import type { CausalLM } from '../model/model.ts';
import type { Generation, RolloutContext } from '../rollout.ts';
import type { TrainRow } from '../update.ts';
import type { TensorMap } from '../snapshot.ts';
import { computeAdvantages } from '../advantages.ts';
import { PpoCritic } from './ppo.ts';
import { boundaryTest, splitSteps, vineAdvantages } from './vineppo.ts';
import { mcValueEstimator, type McStats } from './vine-rollouts.ts';
import { mean, std } from '../stats.ts';

export interface Estimate {
  rows: TrainRow[]; // the rows with their advantages (per token for vineppo and ppo)
  perRow: number[]; // [N] one number per completion for the log: its mean token advantage
  values: Record<string, number>; // the estimator's metrics
  histograms: Record<string, number[]>; // per-step values and advantages (vineppo), values (ppo)
}

export class AdvantageEstimator {
  private readonly critic: PpoCritic | null;

  constructor(
    private readonly config: RunConfig,
    model: CausalLM,
    seed: number,
  ) {
    this.critic = config.grpo.advantage_estimator === 'ppo' ? new PpoCritic(model.spec.hidden, config, seed) : null;
  }

  /** Advantages of the kept completions; `rows` are their training rows (prompt-major groups of G). */
  async estimate(ctx: RolloutContext, kept: Generation, rows: TrainRow[], lr: number): Promise<Estimate> {
    const g = this.config.grpo,
      G = this.config.sampling.num_generations;
    if (rows.length === 0) return { rows, perRow: [], values: {}, histograms: {} }; // dynamic sampling kept no group
    if (g.advantage_estimator === 'vineppo') return this.vineppo(ctx, kept, rows);
    if (g.advantage_estimator === 'ppo') {
      const p = await this.critic!.estimate(ctx.model, ctx.lora, ctx.compute, rows, kept.rewards, lr, ctx.codec.padId);
      return withTokenAdvantages(rows, p.tokenAdvantages, p.metrics, { values: p.values.flat() });
    }
    const adv = computeAdvantages(kept.rewards, G, g.scale_rewards, g.advantage_estimator);
    return {
      rows: rows.map((r, i) => ({ ...r, advantage: adv.advantages[i] })),
      perRow: adv.advantages,
      values: {},
      histograms: {},
    };
  }

  private async vineppo(ctx: RolloutContext, kept: Generation, rows: TrainRow[]): Promise<Estimate> {
    const g = this.config.grpo,
      G = this.config.sampling.num_generations;
    const isBoundary = boundaryTest(ctx.codec, g.step_delimiter);
    const ends = rows.map((r) => splitSteps(r.completionIds, isBoundary, g.vineppo_max_steps));
    const examples = rows.map((_, i) => kept.examples[Math.floor(i / G)]);
    const stats: McStats = { rollouts: 0, tokens: 0, ms: 0 };
    // the rollout batch of a step already fits in memory: value rollouts use as many sampler rows
    const maxRows = Math.max(g.vineppo_k, this.config.run.prompts_per_step * G);
    const estimate = mcValueEstimator(ctx, rows, examples, { k: g.vineppo_k, maxRows }, stats);
    const v = await vineAdvantages(rows, ends, kept.rewards, estimate);
    const stepValues = v.stepValues.flat(),
      stepAdvantages = v.stepAdvantages.flat();
    const values = {
      'mc_values/mean': mean(stepValues),
      'mc_values/std': std(stepValues),
      'step_advantages/mean': mean(stepAdvantages),
      'step_advantages/std': std(stepAdvantages),
      'vineppo/steps_per_completion': mean(ends.map((e) => e.length)),
      'vineppo/states_valued': v.queried,
      'vineppo/rollouts': stats.rollouts,
      'vineppo/rollout_tokens': stats.tokens,
      'vineppo/rollout_time': stats.ms / 1000,
    };
    return withTokenAdvantages(rows, v.tokenAdvantages, values, {
      step_values: stepValues,
      step_advantages: stepAdvantages,
    });
  }

  /** The value head and its optimiser (ppo), for checkpoints; empty for the other estimators. */
  async exportTensors(): Promise<TensorMap> {
    return this.critic ? this.critic.exportTensors() : {};
  }

  importTensors(t: TensorMap): void {
    this.critic?.importTensors(t);
  }

  dispose(): void {
    this.critic?.dispose();
  }
}

function withTokenAdvantages(
  rows: TrainRow[],
  tokenAdvantages: number[][],
  values: Record<string, number>,
  histograms: Record<string, number[]>,
): Estimate {
  const perRow = tokenAdvantages.map(mean);
  return {
    rows: rows.map((r, i) => ({ ...r, advantage: perRow[i], tokenAdvantages: tokenAdvantages[i] })),
    perRow,
    values,
    histograms,
  };
}
