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
  /** The completion's log-probability before and after the step's update (only the step view's group). */
  logprob?: { before: number; after: number };
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
const last = (h: StepMetrics[], name: string, n: number) => series(h, name).slice(-n);
/** Mean of the first and of the last three values of a series (null with fewer than three). */
const ends = (h: StepMetrics[], name: string) => {
  const xs = series(h, name);
  return xs.length >= 3 ? { start: mean(xs.slice(0, 3)), now: mean(xs.slice(-3)) } : null;
};

/**
 * The health rules, one row each: `fires` looks at the GRPO steps so far and returns the alert's message
 * when the rule applies (null otherwise); thresholds are rules of thumb, stated in the message.
 */
interface HealthRule {
  id: HealthAlert['id'];
  fires(h: StepMetrics[], window: number): string | null;
  cause: string;
  suggestion: string;
}

/** The per-token KL above which the adapter has moved far (a rule of thumb for answers of 16 tokens or more). */
export const KL_PER_TOKEN_LIMIT = 0.5;
/** The same limit per answer: 0.5 nats/token over 16 tokens. */
export const KL_PER_ANSWER_LIMIT = 8;

/**
 * The KL limit for a run's mean answer length. The metric is the mean over an answer's tokens, so what the
 * adapter learned is spread over few tokens in short answers: the demo's answers are 3 to 6 tokens, and
 * dropping one habitual token (its stray minus sign) alone reads as ~0.5 nats per token, the change it was
 * trained to make. Short answers are held to the per-answer limit instead (8 nats), long ones to 0.5/token.
 */
export function klLimit(meanLength: number): number {
  return Number.isFinite(meanLength) && meanLength > 0
    ? Math.max(KL_PER_TOKEN_LIMIT, KL_PER_ANSWER_LIMIT / meanLength)
    : KL_PER_TOKEN_LIMIT;
}

const RULES: HealthRule[] = [
  {
    id: 'diversity_collapse',
    fires: (h) => {
      const zs = last(h, 'frac_reward_zero_std', 5);
      if (zs.length < 5 || !zs.every((z) => z >= 0.8)) return null;
      return `For 5 steps, ${Math.round(mean(zs) * 100)}% of groups gave all completions the same reward`;
    },
    cause:
      'groups with equal rewards have zero advantage and teach nothing: ' +
      'the task is too easy or too hard, or sampling lacks diversity',
    suggestion: 'raise temperature or num_generations, pick data of suitable difficulty, or enable dynamic_sampling',
  },
  {
    id: 'reward_plateau',
    fires: (h, w) => {
      const r = series(h, 'reward');
      if (r.length < 2 * w) return null;
      const recent = mean(r.slice(-w)),
        before = mean(r.slice(-2 * w, -w));
      if (recent > before + 0.01 * Math.max(1, Math.abs(before))) return null;
      return `Mean reward of the last ${w} steps (${recent.toFixed(3)}) is no better than the ${w} before (${before.toFixed(3)})`;
    },
    cause: 'the policy stopped improving: learning rate too low or too high, or the reward gives no gradient',
    suggestion:
      'check the reward on a few completions, try another learning_rate, or evaluate: the run may have converged',
  },
  {
    id: 'entropy_collapse',
    fires: (h) => {
      const e = ends(h, 'entropy');
      return e && e.now < 0.05 && e.start > 0.1
        ? `Token entropy fell to ${e.now.toFixed(3)} (from ${e.start.toFixed(3)})`
        : null;
    },
    cause: 'the policy became nearly deterministic, so groups stop differing and exploration ends',
    suggestion: 'raise temperature, use clip-higher (epsilon_high 0.28), lower learning_rate or add beta',
  },
  {
    id: 'entropy_blowup',
    fires: (h) => {
      const e = ends(h, 'entropy');
      return e && e.now > 3 * e.start && e.now > 1
        ? `Token entropy rose to ${e.now.toFixed(2)} (from ${e.start.toFixed(2)})`
        : null;
    },
    cause: 'updates are too large and the policy drifts towards noise',
    suggestion: 'lower learning_rate or max_grad_norm, or add a KL penalty (beta 0.04)',
  },
  {
    id: 'kl_drift',
    fires: (h) => {
      const kl = last(h, 'kl', 3);
      if (kl.length < 3) return null;
      const length = mean(last(h, 'completions/mean_length', 3));
      const limit = klLimit(length);
      if (!(mean(kl) > limit)) return null;
      const per = Number.isFinite(length) && length > 0 ? ` for answers of ${length.toFixed(1)} tokens` : '';
      return `KL to the reference is ${mean(kl).toFixed(2)} nats per token, above the ${limit.toFixed(2)} expected${per}`;
    },
    cause: 'the adapter has moved far from the base model, which often precedes reward hacking or broken text',
    suggestion: 'raise beta, lower learning_rate, or look at recent samples for reward hacking',
  },
  {
    id: 'truncation',
    fires: (h) => {
      const clip = last(h, 'completions/clipped_ratio', 3);
      if (clip.length < 3 || !(mean(clip) > 0.5)) return null;
      return `${Math.round(mean(clip) * 100)}% of completions hit max_completion_length`;
    },
    cause: 'truncated answers rarely earn reward and their gradient is noise',
    suggestion: 'raise max_completion_length, enable mask_truncated_completions, or add the overlong reward',
  },
];

/** Alerts for the latest state of a GRPO run, in the order of RULES. */
export function diagnose(history: StepMetrics[], window = 10): HealthAlert[] {
  const h = history.filter((m) => m.phase === 'grpo');
  if (!h.length) return [];
  const step = h[h.length - 1].step;
  return RULES.flatMap((r) => {
    const message = r.fires(h, window);
    return message === null ? [] : [{ id: r.id, step, message, cause: r.cause, suggestion: r.suggestion }];
  });
}
