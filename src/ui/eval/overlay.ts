// Runs overlaid: which settings differ between them, a short label for each run made of those settings
// (e.g. "advantage_estimator: rloo"), one metric of every run merged by step for a chart with a series per
// run, and each run's baseline and final evaluation. DOM-free, used by RunOverlay.svelte.
//
//   const diffs = differingSettings(runs.map((r) => r.config));   // [{ path: 'grpo.advantage_estimator', values: ['grpo', 'rloo'] }]
//   const labels = runLabels(runs, diffs);                          // ['advantage_estimator: grpo', 'advantage_estimator: rloo']
//   overlaySeries(runs, labels, 'reward')                           // [{ step: 1, values: { 'advantage_estimator: grpo': 0.2, ... } }, ...]
import type { RunHistory } from '../../worker/protocol.ts';

export interface SettingDiff {
  path: string;
  values: string[];
}

function flatten(v: unknown, prefix: string, out: Map<string, string>): void {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, JSON.stringify(v) ?? 'undefined');
}

/** Dotted paths of the settings whose values are not the same in every config, with each config's value. */
export function differingSettings(configs: unknown[]): SettingDiff[] {
  const flat = configs.map((c) => {
    const m = new Map<string, string>();
    flatten(c, '', m);
    return m;
  });
  const paths = [...new Set(flat.flatMap((m) => [...m.keys()]))].sort();
  return paths
    .map((path) => ({ path, values: flat.map((m) => m.get(path) ?? 'undefined') }))
    .filter((d) => new Set(d.values).size > 1)
    .map((d) => ({ path: d.path, values: d.values.map((v) => (v.startsWith('"') ? (JSON.parse(v) as string) : v)) }));
}

/** A label per run from the settings that differ (at most three named), unique; the run id when none differ. */
export function runLabels(runs: Pick<RunHistory, 'runId'>[], diffs: SettingDiff[]): string[] {
  const named = diffs.slice(0, 3);
  const labels = runs.map((r, i) =>
    named.length ? named.map((d) => `${d.path.split('.').at(-1)}: ${d.values[i]}`).join(', ') : r.runId,
  );
  return labels.map((l, i) => (labels.indexOf(l) === i && labels.lastIndexOf(l) === i ? l : `${l} (${runs[i].runId})`));
}

/** One metric of every run on the union of their steps, keyed by the run's label (absent where a run has no value). */
type Points = { history: { step: number; values: Record<string, number> }[] };

export function overlaySeries(
  runs: Points[],
  labels: string[],
  key: string,
): { step: number; values: Record<string, number> }[] {
  const steps = [...new Set(runs.flatMap((r) => r.history.map((m) => m.step)))].sort((a, b) => a - b);
  const at = runs.map((r) => new Map(r.history.map((m) => [m.step, m.values[key]])));
  return steps.map((step) => {
    const values: Record<string, number> = {};
    at.forEach((m, i) => {
      const v = m.get(step);
      if (Number.isFinite(v)) values[labels[i]] = v!;
    });
    return { step, values };
  });
}

/** Evaluation accuracy of every run by step, in the same shape as overlaySeries. */
export function overlayEvals(
  runs: Pick<RunHistory, 'evals'>[],
  labels: string[],
): { step: number; values: Record<string, number> }[] {
  return overlaySeries(
    runs.map((r) => ({ history: r.evals.map((e) => ({ step: e.step, values: { accuracy: e.accuracy } })) })),
    labels,
    'accuracy',
  );
}

export interface EvalRow {
  label: string;
  steps: number;
  baseline?: { step: number; accuracy: number; interval: [number, number]; n: number };
  final?: { step: number; accuracy: number; interval: [number, number]; n: number };
}

/** Each run's first and last evaluation (the final one only when it is a later step). */
export function evalRows(runs: Pick<RunHistory, 'runId' | 'evals' | 'history'>[], labels: string[]): EvalRow[] {
  const pick = (e: RunHistory['evals'][number] | undefined) =>
    e && { step: e.step, accuracy: e.accuracy, interval: [e.interval[0], e.interval[1]] as [number, number], n: e.n };
  return runs.map((r, i) => {
    const first = r.evals[0],
      last = r.evals.at(-1);
    return {
      label: labels[i],
      steps: r.history.at(-1)?.step ?? 0,
      baseline: pick(first),
      final: last && first && last.step > first.step ? pick(last) : undefined,
    };
  });
}

/** The metrics overlaid, with TRL's names; estimator-specific ones appear when any run logs them. */
export const OVERLAY_METRICS: { key: string; title: string }[] = [
  { key: 'reward', title: 'reward' },
  { key: 'kl', title: 'kl' },
  { key: 'entropy', title: 'entropy' },
  { key: 'loss', title: 'loss' },
  { key: 'grad_norm', title: 'grad norm' },
  { key: 'grad_variance', title: 'gradient variance' },
  { key: 'completions/mean_length', title: 'mean completion length' },
  { key: 'mc_values/mean', title: 'Monte Carlo values (VinePPO)' },
  { key: 'value_loss', title: 'value loss (PPO)' },
  { key: 'explained_variance', title: 'explained variance (PPO)' },
];
