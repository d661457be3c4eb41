// Per-environment evaluation figures from played episodes: for each environment the success rate (reported
// as accuracy too), the mean, population standard deviation and median of the episode returns, and the
// Jeffreys 80% interval of the success rate; the aggregate is the same figures over all episodes pooled,
// so each environment weighs by its number of episodes. Flat metric names for logs and summary.json:
// eval_env/<name>/success_rate and the like, eval_env/all/... for the aggregate.
//
//   const s = envEvalSummary(episodes)     // { per_env: [...sorted by name], aggregate }
//   Object.assign(result.metrics, envEvalMetrics(s))
import { finite, jeffreysInterval, mean, median, std } from '../engine/stats.ts';
import type { EnvEvalStats, EnvEvalSummary, EpisodeRecord } from './types.ts';

/** The name the aggregate goes by in EnvEvalSummary.aggregate.env and the flat metrics. */
export const AGGREGATE = 'all';

export function envStats(env: string, episodes: EpisodeRecord[], level = 0.8): EnvEvalStats {
  const n = episodes.length,
    wins = episodes.filter((e) => e.success).length,
    rate = n ? wins / n : 0;
  const returns = finite(episodes.map((e) => e.return));
  return {
    env,
    n,
    accuracy: rate,
    success_rate: rate,
    mean: mean(returns),
    std: std(returns),
    median: median(returns),
    interval: jeffreysInterval(wins, n, level),
  };
}

export function envEvalSummary(episodes: EpisodeRecord[], level = 0.8): EnvEvalSummary {
  const byEnv = new Map<string, EpisodeRecord[]>();
  for (const e of episodes) byEnv.set(e.env, [...(byEnv.get(e.env) ?? []), e]);
  const per_env = [...byEnv.keys()].sort().map((env) => envStats(env, byEnv.get(env)!, level));
  return { per_env, aggregate: envStats(AGGREGATE, episodes, level) };
}

/** One row's figures under flat names: eval_env/<name>/accuracy, .../success_low, .../return_mean... */
function rowMetrics(s: EnvEvalStats): Record<string, number> {
  const p = `eval_env/${s.env}`;
  return {
    [`${p}/episodes`]: s.n,
    [`${p}/accuracy`]: s.accuracy,
    [`${p}/success_rate`]: s.success_rate,
    [`${p}/success_low`]: s.interval[0],
    [`${p}/success_high`]: s.interval[1],
    [`${p}/return_mean`]: s.mean,
    [`${p}/return_std`]: s.std,
    [`${p}/return_median`]: s.median,
  };
}

export function envEvalMetrics(s: EnvEvalSummary): Record<string, number> {
  return Object.assign({}, ...s.per_env.map(rowMetrics), rowMetrics(s.aggregate));
}
