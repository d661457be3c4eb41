// The rows of the per-environment evaluation table, as text: one per environment and the aggregate over
// all episodes, each with its success rate and 80% interval, return mean, std and median, and (when the
// baseline evaluation played the same environment) the baseline's success rate beside it. Pure, so it is
// tested without a page; EnvTable.svelte only lays the rows out. The evaluation export is here too.
//
//   envRows(result.environments, baseline?.environments)   // [{ env: 'grid_world', success: '40.0%', ... }]
import type { EnvEvalStats, EnvEvalSummary } from '../../env/types.ts';
import type { EvalResult } from '../../worker/protocol.ts';

export interface EnvRow {
  env: string;
  aggregate: boolean;
  episodes: number;
  success: string;
  interval: string;
  mean: string;
  std: string;
  median: string;
  /** The baseline's success rate, or '' when the baseline did not play this environment. */
  baseline: string;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const num = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');

function row(s: EnvEvalStats, base: EnvEvalStats | undefined, aggregate: boolean): EnvRow {
  return {
    env: aggregate ? 'all environments' : s.env,
    aggregate,
    episodes: s.n,
    success: pct(s.success_rate),
    interval: `${pct(s.interval[0])} – ${pct(s.interval[1])}`,
    mean: num(s.mean),
    std: num(s.std),
    median: num(s.median),
    baseline: base ? pct(base.success_rate) : '',
  };
}

export function envRows(s: EnvEvalSummary, baseline?: EnvEvalSummary): EnvRow[] {
  const base = new Map(baseline?.per_env.map((r) => [r.env, r]) ?? []);
  const rows = s.per_env.map((r) => row(r, base.get(r.env), false));
  // one environment: the aggregate repeats its row, so it is left out
  if (s.per_env.length !== 1) rows.push(row(s.aggregate, baseline?.aggregate, true));
  return rows;
}

/**
 * The evaluation export: every evaluation of the run on screen, as JSON: step, accuracy and interval,
 * the flat metrics (eval_env/... included), the per-environment figures when there are any, and examples.
 */
export function evalsExport(runId: string | null, evals: EvalResult[]): string {
  return JSON.stringify({ run: runId, evaluations: evals }, null, 2);
}
