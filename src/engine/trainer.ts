// The trainer: the run's state (adapter, optimiser, rng, data cursor, history) and one step at a time.
// A step is an SFT step (sft-step.ts) or an RL step (rl-step.ts: rollout, rewards, advantages, mu policy
// updates, TRL-named metrics); the run around the steps (evals, checkpoints, hooks) is run-loop.ts.
//
//   const t = Trainer.create(config, { model, codec, train, evalSet, score })
//   await runTraining(t, { shouldContinue: () => !paused, onStep: (r) => post(r.metrics) })
//
// Departures from TRL, and where DAPO's options live:
// - A "step" is one generated batch and mu optimiser updates on it (TRL counts each update as a step).
// - The old log-probabilities (mu > 1) come from a forward pass before the first update, as in TRL, not
//   from the sampler: its cached decode path rounds differently, and the ratio must start at exactly 1.
// - DAPO: dynamic sampling (rollout.ts, with a round cap), clip-higher (grpo.epsilon_high), token-level loss
//   (grpo.loss_type 'dapo'), overlong filtering (grpo.mask_truncated_completions); soft overlong punishment
//   is the `overlong` reward function, weighted like any other reward.
// - Exact resume holds with lora.dropout 0 (the default): tfjs draws dropout masks from its own unseeded
//   generator, so with dropout a resumed run differs from an uninterrupted one by its masks.
// - mode sft_then_grpo: SFT for sft_steps, then GRPO for max_steps with a fresh AdamW and its own
//   learning-rate schedule, as two chained runs would be. SFT steps train on prompts_per_step x
//   num_generations examples, the same number of sequences as a GRPO step, so memory needs match.
import * as tf from './tf.ts';
import type { RunConfig } from './config.ts';
import { LoraAdapter, type LoraLayout } from './lora.ts';
import { Rng } from './rng.ts';
import { AdamW } from './optim.ts';
import { rlStep } from './rl-step.ts';
import type { StepContext, TrainerDeps } from './step-context.ts';
import { sftStep } from './sft-step.ts';
import { appendCapped, type CompletionLogEntry, type StepMetrics } from './metrics.ts';
import { evaluate, type EvalResult } from './evaluate.ts';
import { evaluateEnvs } from './env-eval.ts';
import { envDeps } from './env-step.ts';
import {
  CheckpointCorruptError,
  type OptimPhase,
  type TensorMap,
  type TrainerSnapshot,
  type TrainerState,
} from './snapshot.ts';
import { AdvantageEstimator } from './estimators/index.ts';
import { runCompute, type Compute } from './ops/index.ts';

export type { Codec, Example, ExampleStream, Scorer } from './rollout.ts';
export type { TensorMap, TrainerSnapshot, TrainerState } from './snapshot.ts';
export type { TrainerDeps } from './step-context.ts';
export { SftDataError } from './sft-step.ts';

export interface StepResult {
  metrics: StepMetrics;
  samples: CompletionLogEntry[];
}

export class RunCompleteError extends Error {
  readonly name = 'RunCompleteError';
}

export class Trainer {
  step = 0;
  numTokens = 0;
  history: StepMetrics[] = [];
  completions: CompletionLogEntry[] = [];
  evals: EvalResult[] = [];
  readonly totalSteps: number;
  readonly sftSteps: number;
  private optim: AdamW;
  private optimPhase: OptimPhase;
  private rng: Rng;
  private readonly estimator: AdvantageEstimator;
  /** The run's Ops (from run.fused_kernels and the backend) and run.gradient_checkpointing, chosen once. */
  readonly compute: Compute;

  private constructor(
    readonly config: RunConfig,
    readonly deps: TrainerDeps,
    readonly lora: LoraAdapter,
  ) {
    const r = config.run;
    this.sftSteps = r.mode === 'sft' ? r.max_steps : r.mode === 'sft_then_grpo' ? r.sft_steps : 0;
    this.totalSteps = r.mode === 'sft' ? r.max_steps : this.sftSteps + r.max_steps;
    this.rng = new Rng(r.seed);
    this.compute = runCompute(r);
    this.optimPhase = this.phaseAt(0);
    this.optim = this.newOptimizer();
    this.estimator = new AdvantageEstimator(config, deps.model, r.seed);
  }

  /**
   * A new run: a fresh adapter initialised from the run seed, or `initial` (an imported PEFT adapter, whose
   * shape config.lora must describe: lora-start.ts), trained further. The trainer owns it from here.
   */
  static create(config: RunConfig, deps: TrainerDeps, initial?: LoraAdapter): Trainer {
    return new Trainer(config, deps, initial ?? Trainer.freshAdapter(config, deps, null));
  }

  /** A saved run, continuing exactly where the snapshot was taken. */
  static restore(snap: TrainerSnapshot, deps: TrainerDeps): Trainer {
    const t = new Trainer(snap.config, deps, Trainer.freshAdapter(snap.config, deps, snap.state.loraLayout ?? null));
    t.importState(snap);
    return t;
  }

  private static freshAdapter(config: RunConfig, deps: TrainerDeps, layout: LoraLayout | null): LoraAdapter {
    const l = config.lora;
    return LoraAdapter.create(
      deps.model.spec,
      { r: l.r, alpha: l.alpha, dropout: l.dropout, targetModules: l.target_modules, useRslora: l.use_rslora },
      config.run.seed,
      layout ?? undefined,
    );
  }

  get done(): boolean {
    return this.step >= this.totalSteps;
  }

  phaseAt(step: number): OptimPhase {
    return step < this.sftSteps ? 'sft' : 'grpo';
  }

  /** Fraction of the run done, in [0, 1], for curriculum weights. */
  get progress(): number {
    return this.step / this.totalSteps;
  }

  /** Whether the run has anything to evaluate on: held-out examples, or environments. */
  get evaluates(): boolean {
    return this.deps.evalSet.length > 0 || this.config.environment.envs.length > 0;
  }

  evalDue(): boolean {
    const e = this.config.run.eval_steps;
    return this.evaluates && ((e > 0 && this.step % e === 0) || this.step === this.totalSteps);
  }

  saveDue(): boolean {
    const s = this.config.run.save_steps;
    return (s > 0 && this.step % s === 0) || this.step === this.totalSteps;
  }

  async trainStep(): Promise<StepResult> {
    if (this.done)
      throw new RunCompleteError(`the run is complete (${this.totalSteps} steps); start a new run to train more`);
    const phase = this.phaseAt(this.step);
    if (phase !== this.optimPhase) {
      this.optim.dispose();
      this.optimPhase = phase;
      this.optim = this.newOptimizer();
    }
    const t0 = performance.now();
    const ctx = this.stepContext();
    const { values, samples, histograms, tokens } = phase === 'sft' ? await sftStep(ctx) : await rlStep(ctx);
    this.numTokens += tokens;
    this.step += 1;
    values.step_time = (performance.now() - t0) / 1000;
    values.num_tokens = this.numTokens;
    const metrics: StepMetrics = {
      step: this.step,
      phase,
      time: Date.now(),
      values,
      ...(histograms ? { histograms } : {}),
    };
    this.history.push(metrics);
    appendCapped(this.completions, samples, this.config.run.completions_log_size);
    return { metrics, samples };
  }

  /** What a step reads of the trainer's state (rl-step.ts, sft-step.ts). */
  private stepContext(): StepContext {
    return {
      config: this.config,
      deps: this.deps,
      lora: this.lora,
      compute: this.compute,
      rng: this.rng,
      optim: this.optim,
      estimator: this.estimator,
      step: this.step,
      sftSteps: this.sftSteps,
      progress: this.progress,
    };
  }

  /** Accuracy on the held-out examples (or episodes) with the current adapter; kept in `evals`. */
  async evaluate(): Promise<EvalResult> {
    const ctx = {
      ...this.deps,
      lora: this.lora,
      compute: this.compute,
      config: this.config,
      progress: this.progress,
      onProgress: (d: number, t: number) => this.deps.onProgress?.('eval', d, t),
    };
    const r = this.config.environment.envs.length
      ? await evaluateEnvs({ ...ctx, envs: envDeps(this) }, this.step)
      : await evaluate(ctx, this.deps.evalSet, this.step);
    this.evals.push(r);
    const last = this.history[this.history.length - 1];
    if (last && last.step === this.step) Object.assign(last.values, r.metrics);
    return r;
  }

  async snapshot(): Promise<TrainerSnapshot> {
    const tensors: TensorMap = {};
    const names = this.lora.peftNames();
    for (const [i, v] of this.lora.variables().entries())
      tensors[names[i]] = { shape: v.shape, data: Float32Array.from((await v.data()) as Float32Array) };
    const os = await this.optim.exportState();
    os.m.forEach((m, i) => {
      tensors[`optimizer.m.${i}`] = { shape: [m.length], data: m };
    });
    os.v.forEach((v, i) => {
      tensors[`optimizer.v.${i}`] = { shape: [v.length], data: v };
    });
    Object.assign(tensors, await this.estimator.exportTensors());
    const state: TrainerState = {
      step: this.step,
      optimPhase: this.optimPhase,
      optimStep: os.step,
      rng: this.rng.state(),
      cursor: this.deps.train.state(),
      numTokens: this.numTokens,
      history: this.history,
      completions: this.completions,
      evals: this.evals,
      ...(this.lora.layout() ? { loraLayout: this.lora.layout()! } : {}),
    };
    return { config: this.config, state: structuredClone(state), tensors };
  }

  private importState(snap: TrainerSnapshot): void {
    const names = this.lora.peftNames(),
      s = snap.state;
    this.lora.variables().forEach((v, i) => {
      const t = snap.tensors[names[i]];
      if (!t)
        throw new CheckpointCorruptError(
          `the checkpoint lacks ${names[i]}: it was saved with another LoRA configuration`,
        );
      tf.tidy(() => v.assign(tf.tensor(t.data, v.shape)));
    });
    const count = this.lora.variables().length;
    const vec = (k: 'm' | 'v') =>
      Array.from({ length: count }, (_, i) => snap.tensors[`optimizer.${k}.${i}`]?.data ?? new Float32Array(0));
    Object.assign(this, {
      step: s.step,
      numTokens: s.numTokens,
      history: s.history,
      completions: s.completions,
      evals: s.evals,
      optimPhase: s.optimPhase,
    });
    this.optim.importState({ step: s.optimStep, m: vec('m'), v: vec('v') });
    this.estimator.importTensors(snap.tensors);
    this.rng = new Rng(s.rng);
    this.deps.train.restore(s.cursor);
  }

  private newOptimizer(): AdamW {
    const o = this.config.optim;
    return new AdamW(this.lora.variables(), {
      beta1: o.adam_beta1,
      beta2: o.adam_beta2,
      eps: o.adam_epsilon,
      weightDecay: o.weight_decay,
    });
  }

  dispose(): void {
    this.optim.dispose();
    this.estimator.dispose();
    this.lora.dispose();
  }
}
