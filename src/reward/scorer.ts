// Scores completions with the run's rewards (config.rewards), through a RewardRunner, for the trainer.
// A reward that throws or overstays its timeout_ms scores its failure_score and is counted: a bad reward
// never stops a run. The weighted total and the rewards/<name>/mean|std metrics are the trainer's; this
// adds rewards/<name>/failures and rewards/<name>/timeouts (cumulative over the run).
//
//   const scorer = RunScorer.fromConfig(config, WorkerRewardRunner.create())
//   const table = await scorer.score(samples)        // the engine's Scorer
//   scorer.counters()                                // { 'rewards/math/failures': 0, ... }
import type { RunConfig } from '../engine/config.ts';
import type { ScoreTable } from '../engine/scoring.ts';
import './builtins.ts';
import { rewardDef } from './registry.ts';
import { checkCustomCode, customMemoryMb } from './custom.ts';
import { RewardCallError, RewardTimeoutError, type RewardRunner } from './runner.ts';
import type { RewardResult, RewardSample } from './types.ts';

export type RewardSpec = RunConfig['rewards'][number];

export interface RewardLine {
  name: string;
  weight: number;
  score: number | null;
  details?: Record<string, unknown>;
  /** Set when the call failed and failure_score was used. */
  error?: string;
}

/** Options as the reward receives them: run-level facts filled in where the reward needs them. */
export function resolveOptions(spec: RewardSpec, config?: RunConfig): Record<string, unknown> {
  const o = { ...spec.options };
  if (spec.name === 'overlong' && o.max_length === undefined && config)
    o.max_length = config.sampling.max_completion_length;
  if (spec.name === 'math' && o.answer_field === undefined && config) o.answer_field = config.data.answer_field;
  // the sandbox interrupts custom code at the reward's own time limit
  if (spec.name === 'custom') o.timeout_ms = spec.timeout_ms;
  return o;
}

export class RunScorer {
  private failures = new Map<string, number>();
  private timeouts = new Map<string, number>();
  private readonly options: Record<string, unknown>[];

  constructor(
    readonly specs: RewardSpec[],
    private readonly runner: RewardRunner,
    config?: RunConfig,
  ) {
    // unknown names and unusable custom code fail here, before any sampling
    for (const s of specs) {
      rewardDef(s.name);
      if (s.name === 'custom') {
        checkCustomCode(s.options.code);
        customMemoryMb(s.options);
      }
    }
    this.options = specs.map((s) => resolveOptions(s, config));
  }

  static fromConfig(config: RunConfig, runner: RewardRunner): RunScorer {
    return new RunScorer(config.rewards, runner, config);
  }

  private async line(i: number, sample: RewardSample): Promise<RewardLine> {
    const spec = this.specs[i];
    try {
      const r: RewardResult = await this.runner.call(spec.name, sample, this.options[i], spec.timeout_ms);
      return { name: spec.name, weight: spec.weight, score: r.score, details: r.details };
    } catch (e) {
      const err = e as Error;
      // a time-out reported from inside the worker (the custom-code sandbox stops itself) counts as one too
      const timedOut =
        err instanceof RewardTimeoutError || (err instanceof RewardCallError && err.causeName === 'RewardTimeoutError');
      const counter = timedOut ? this.timeouts : this.failures;
      counter.set(spec.name, (counter.get(spec.name) ?? 0) + 1);
      return {
        name: spec.name,
        weight: spec.weight,
        score: spec.failure_score,
        error: `${err.name}: ${err.message}`,
        details: { error: `${err.name}: ${err.message}` },
      };
    }
  }

  /** Every reward of one sample, with its weight (the try-it box shows this). */
  breakdown(sample: RewardSample): Promise<RewardLine[]> {
    return Promise.all(this.specs.map((_, i) => this.line(i, sample)));
  }

  /** The engine's Scorer: [B][R] scores and details. */
  readonly score = async (samples: RewardSample[]): Promise<ScoreTable> => {
    const lines = await Promise.all(samples.map((s) => this.breakdown(s)));
    return { scores: lines.map((l) => l.map((x) => x.score)), details: lines.map((l) => l.map((x) => x.details)) };
  };

  counters(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const s of this.specs) {
      out[`rewards/${s.name}/failures`] = this.failures.get(s.name) ?? 0;
      out[`rewards/${s.name}/timeouts`] = this.timeouts.get(s.name) ?? 0;
    }
    return out;
  }

  dispose(): void {
    this.runner.dispose();
  }
}

/** The weighted total of a breakdown, skipping rewards that do not apply (null); null when none applies. */
export function weightedTotal(lines: RewardLine[]): number | null {
  const applied = lines.filter((l) => l.score !== null);
  return applied.length ? applied.reduce((a, l) => a + l.weight * (l.score as number), 0) : null;
}
