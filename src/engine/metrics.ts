// Per-step metrics under TRL's names, the completions log, export as JSONL/CSV, and health diagnostics
// that turn a metric history into alerts with a likely cause and a suggested change.
//
//   history.push(metrics); const alerts = diagnose(history)
import { mean } from './stats.ts';
import type { RunConfig } from './config.ts';
import type { FinishReason } from './scoring.ts';

/** Which optimiser a step belongs to: SFT steps and GRPO steps each have their own AdamW and schedule. */
export type OptimPhase = Exclude<RunConfig['run']['mode'], 'sft_then_grpo'>;

/** One training step's record; `values` holds TRL's metric names (reward, kl, clip_ratio/low_mean...). */
export interface StepMetrics {
  step: number; // 1-based count of completed steps
  phase: OptimPhase;
  time: number; // wall-clock ms since epoch at the end of the step
  values: Record<string, number>;
  /** Raw per-completion values of the step, for histograms. */
  histograms?: { advantages: number[]; rewards: number[] } & Record<string, number[]>; // + step_values, step_advantages (vineppo), values (ppo)
}

export interface CompletionLogEntry {
  step: number;
  prompt: string;
  completion: string;
  rewards: Record<string, number | null>; // each reward function's raw (unweighted) score
  reward: number | null; // weighted total
  advantage: number;
  finish: FinishReason;
  length: number; // completion tokens
  details?: Record<string, unknown>; // what each reward reported (compiler output...), by reward name
}

export interface HealthAlert {
  id: 'diversity_collapse' | 'reward_plateau' | 'entropy_collapse' | 'entropy_blowup' | 'kl_drift' | 'truncation';
  step: number;
  message: string;
  cause: string;
  suggestion: string;
}

/** Appends entries to a log, dropping the oldest beyond `cap`. */
export function appendCapped<T>(log: T[], entries: T[], cap: number): void {
  log.push(...entries);
  if (log.length > cap) log.splice(0, log.length - cap);
}

function flatten(m: StepMetrics): Record<string, number | string> {
  return { step: m.step, phase: m.phase, time: m.time, ...m.values };
}

export function metricsToJsonl(history: StepMetrics[]): string {
  return history.map((m) => JSON.stringify(flatten(m))).join('\n') + (history.length ? '\n' : '');
}

/** CSV with the union of all metric names as columns (empty where a step lacks one). */
export function metricsToCsv(history: StepMetrics[]): string {
  const rows = history.map(flatten);
  const cols = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const cell = (v: unknown) =>
    v === undefined ? '' : /[",\n]/.test(String(v)) ? `"${String(v).replace(/"/g, '""')}"` : String(v);
  return [cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}

export function completionsToJsonl(log: CompletionLogEntry[]): string {
  return log.map((e) => JSON.stringify(e)).join('\n') + (log.length ? '\n' : '');
}

const series = (h: StepMetrics[], name: string) => h.filter((m) => name in m.values).map((m) => m.values[name]);

/** Alerts for the latest state of a GRPO run; thresholds are rules of thumb, stated in each message. */
export function diagnose(history: StepMetrics[], window = 10): HealthAlert[] {
  const h = history.filter((m) => m.phase === 'grpo');
  if (!h.length) return [];
  const step = h[h.length - 1].step,
    out: HealthAlert[] = [];
  const last = (name: string, n: number) => series(h, name).slice(-n);
  const zs = last('frac_reward_zero_std', 5);
  if (zs.length === 5 && zs.every((z) => z >= 0.8))
    out.push({
      id: 'diversity_collapse',
      step,
      message: `For 5 steps, ${Math.round(mean(zs) * 100)}% of groups gave all completions the same reward`,
      cause:
        'groups with equal rewards have zero advantage and teach nothing: the task is too easy or too hard, or sampling lacks diversity',
      suggestion: 'raise temperature or num_generations, pick data of suitable difficulty, or enable dynamic_sampling',
    });
  const r = series(h, 'reward');
  if (r.length >= 2 * window) {
    const recent = mean(r.slice(-window)),
      before = mean(r.slice(-2 * window, -window));
    if (recent <= before + 0.01 * Math.max(1, Math.abs(before)))
      out.push({
        id: 'reward_plateau',
        step,
        message: `Mean reward of the last ${window} steps (${recent.toFixed(3)}) is no better than the ${window} before (${before.toFixed(3)})`,
        cause: 'the policy stopped improving: learning rate too low or too high, or the reward gives no gradient',
        suggestion:
          'check the reward on a few completions, try another learning_rate, or evaluate: the run may have converged',
      });
  }
  const ent = series(h, 'entropy');
  if (ent.length >= 3) {
    const start = mean(ent.slice(0, 3)),
      now = mean(ent.slice(-3));
    if (now < 0.05 && start > 0.1)
      out.push({
        id: 'entropy_collapse',
        step,
        message: `Token entropy fell to ${now.toFixed(3)} (from ${start.toFixed(3)})`,
        cause: 'the policy became nearly deterministic, so groups stop differing and exploration ends',
        suggestion: 'raise temperature, use clip-higher (epsilon_high 0.28), lower learning_rate or add beta',
      });
    if (now > 3 * start && now > 1)
      out.push({
        id: 'entropy_blowup',
        step,
        message: `Token entropy rose to ${now.toFixed(2)} (from ${start.toFixed(2)})`,
        cause: 'updates are too large and the policy drifts towards noise',
        suggestion: 'lower learning_rate or max_grad_norm, or add a KL penalty (beta 0.04)',
      });
  }
  const kl = last('kl', 3);
  if (kl.length === 3 && mean(kl) > 0.5)
    out.push({
      id: 'kl_drift',
      step,
      message: `KL to the reference is ${mean(kl).toFixed(2)}`,
      cause: 'the adapter has moved far from the base model, which often precedes reward hacking or broken text',
      suggestion: 'raise beta, lower learning_rate, or look at recent samples for reward hacking',
    });
  const clip = last('completions/clipped_ratio', 3);
  if (clip.length === 3 && mean(clip) > 0.5)
    out.push({
      id: 'truncation',
      step,
      message: `${Math.round(mean(clip) * 100)}% of completions hit max_completion_length`,
      cause: 'truncated answers rarely earn reward and their gradient is noise',
      suggestion: 'raise max_completion_length, enable mask_truncated_completions, or add the overlong reward',
    });
  return out;
}
