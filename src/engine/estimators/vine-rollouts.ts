// VinePPO's Monte Carlo value estimate: K fresh rollouts continued from each state (prompt + completion
// prefix) with the current policy, scored by the run's weighted rewards; the value is their mean reward.
//
//   const estimate = mcValueEstimator(ctx, rows, examples, { k: 9 })
//   const values = await estimate([{ row: 0, length: 5 }])        // [queries]
//
// Limits:
// - The K rollouts of a state reuse its prefix: sampleBatch computes the prefix once and copies its KV
//   cache rows into the K rows (memory holds K copies; the prefill is not repeated).
// - A continuation may use what is left of max_completion_length after its prefix; states are batched by
//   that budget (longest first) so one call decodes no more steps than its longest budget needs.
// - Stop strings are checked on the continuation's text only (a stop in the prefix would have ended the
//   original completion already).
import type { RolloutContext, Example } from '../rollout.ts';
import { rewardWeights } from '../rollout.ts';
import { totalRewards } from '../advantages.ts';
import { sampleBatch, type FinishReason } from '../sampler.ts';
import type { RewardSample } from '../scoring.ts';
import type { PrefixQuery, ValueEstimator, VineRow } from './vineppo.ts';

export interface McOptions {
  k: number; // rollouts per state
  maxRows: number; // sampler rows per call (states per call = maxRows / k, at least 1)
}

/** Counts of the rollouts made, for metrics. */
export interface McStats {
  rollouts: number;
  tokens: number;
  ms: number;
}

export function mcValueEstimator(
  ctx: RolloutContext,
  rows: VineRow[],
  examples: Example[],
  o: McOptions,
  stats: McStats = { rollouts: 0, tokens: 0, ms: 0 },
): ValueEstimator {
  return async (queries) => {
    const max = ctx.config.sampling.max_completion_length;
    const order = queries.map((q, i) => ({ q, i, budget: max - q.length })).sort((a, b) => b.budget - a.budget);
    const perCall = Math.max(1, Math.floor(o.maxRows / o.k)),
      values = new Array<number>(queries.length).fill(0);
    for (let s = 0; s < order.length; s += perCall) {
      const part = order.slice(s, s + perCall);
      const means = await valueBatch(
        ctx,
        rows,
        examples,
        part.map((p) => p.q),
        o.k,
        stats,
      );
      part.forEach((p, j) => {
        values[p.i] = means[j];
      });
    }
    return values;
  };
}

/** Mean weighted reward of k continuations of each state (null-scored continuations left out). */
async function valueBatch(
  ctx: RolloutContext,
  rows: VineRow[],
  examples: Example[],
  qs: PrefixQuery[],
  k: number,
  stats: McStats,
): Promise<number[]> {
  const s = ctx.config.sampling,
    max = s.max_completion_length;
  const heads = qs.map((q) => rows[q.row].completionIds.slice(0, q.length));
  const budgets = qs.map((q) => max - q.length);
  const t0 = performance.now();
  const out = await sampleBatch(
    ctx.model,
    ctx.lora,
    qs.map((q, i) => [...rows[q.row].promptIds, ...heads[i]]),
    {
      ops: ctx.compute.ops,
      numGenerations: k,
      maxNewTokens: Math.max(1, ...budgets),
      temperature: s.temperature,
      topP: s.top_p,
      topK: s.top_k,
      minP: s.min_p,
      repetitionPenalty: s.repetition_penalty,
      eosIds: ctx.codec.eosIds,
      padId: ctx.codec.padId,
      rng: ctx.rng,
      isStopped: s.stop.length
        ? (ids) => {
            const t = ctx.codec.decode(ids);
            return s.stop.some((x) => t.includes(x));
          }
        : undefined,
    },
  );
  stats.ms += performance.now() - t0;
  const samples: RewardSample[] = out.completions.map((cont, r) => {
    const i = out.promptIndex[r],
      kept = cont.slice(0, budgets[i]);
    const finish: FinishReason = kept.length < cont.length ? 'length' : out.finish[r];
    const ids = [...heads[i], ...kept],
      ex = examples[qs[i].row];
    stats.rollouts += 1;
    stats.tokens += kept.length;
    const text = ctx.codec.decode(ids.filter((id) => !ctx.codec.eosIds.includes(id)));
    return {
      prompt: ex.prompt,
      completion: text,
      completionIds: ids,
      row: ex.row,
      finishReason: finish,
      progress: ctx.progress,
    };
  });
  const table = await ctx.score(samples);
  const totals = totalRewards(table.scores, rewardWeights(ctx.config, ctx.progress));
  return qs.map((_, i) => {
    const mine = totals.slice(i * k, (i + 1) * k).filter((r): r is number => r !== null);
    return mine.length ? mine.reduce((a, b) => a + b, 0) / mine.length : 0;
  });
}
