// The training loop. One GRPO step, top to bottom:
//   1. take prompts_per_step prompts and sample G completions of each          (rollout.ts)
//   2. score them with the weighted rewards (weights may follow a curriculum)
//   3. advantages within each group                                            (advantages.ts)
//   4. num_iterations (mu) passes over the batch in micro-batches: loss, backward with gradient
//      accumulation, clip the global norm, one AdamW update per pass            (step.ts, grpo.ts, optim.ts)
//   5. metrics under TRL's names                                               (step-metrics.ts)
// and around the steps (runTraining): an eval at the start, every eval_steps and at the end; a checkpoint
// every save_steps and at the end. An SFT step replaces 1-4 by cross-entropy on the reference answers.
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
import type { CausalLM } from './model/model.ts';
import { LoraAdapter } from './lora.ts';
import { Rng } from './rng.ts';
import { AdamW, learningRateAt } from './optim.ts';
import { rollout, type Codec, type Example, type ExampleStream, type Rollout, type Scorer } from './rollout.ts';
import { chunkLogprobs, makeChunks, sftMicroLoss, type TrainRow } from './update.ts';
import { accumulateGradients, optimizerStep } from './gradients.ts';
import { policyStep, type MicroBatch } from './step.ts';
import {
  advantagesOfAll,
  lengthValues,
  logEntries,
  rewardValues,
  updateValues,
  type UpdateSummary,
} from './step-metrics.ts';
import { appendCapped, type CompletionLogEntry, type StepMetrics } from './metrics.ts';
import { evaluate, type EvalResult } from './evaluate.ts';
import {
  CheckpointCorruptError,
  type OptimPhase,
  type TensorMap,
  type TrainerSnapshot,
  type TrainerState,
} from './snapshot.ts';
import type { LossSettings } from './grpo.ts';
import { mean } from './stats.ts';
import { AdvantageEstimator } from './estimators/index.ts';
import { runCompute, type Compute } from './ops/index.ts';

export type { Codec, Example, ExampleStream, Scorer } from './rollout.ts';
export type { TensorMap, TrainerSnapshot, TrainerState } from './snapshot.ts';

export interface TrainerDeps {
  model: CausalLM;
  codec: Codec;
  train: ExampleStream;
  evalSet: Example[];
  score: Scorer;
  onProgress?: (stage: 'sample' | 'score' | 'train' | 'eval', done: number, total: number) => void;
}

export interface StepResult {
  metrics: StepMetrics;
  samples: CompletionLogEntry[];
}

export class SftDataError extends Error {
  readonly name = 'SftDataError';
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

  /** A new run: a fresh adapter initialised from the run seed. */
  static create(config: RunConfig, deps: TrainerDeps): Trainer {
    const l = config.lora;
    const lora = LoraAdapter.create(
      deps.model.spec,
      { r: l.r, alpha: l.alpha, dropout: l.dropout, targetModules: l.target_modules, useRslora: l.use_rslora },
      config.run.seed,
    );
    return new Trainer(config, deps, lora);
  }

  /** A saved run, continuing exactly where the snapshot was taken. */
  static restore(snap: TrainerSnapshot, deps: TrainerDeps): Trainer {
    const t = Trainer.create(snap.config, deps);
    t.importState(snap);
    return t;
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

  evalDue(): boolean {
    const e = this.config.run.eval_steps;
    return this.deps.evalSet.length > 0 && ((e > 0 && this.step % e === 0) || this.step === this.totalSteps);
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
    const { values, samples, histograms } = phase === 'sft' ? await this.sftStep() : await this.grpoStep();
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

  private async grpoStep(): Promise<{
    values: Record<string, number>;
    samples: CompletionLogEntry[];
    histograms: StepMetrics['histograms'];
  }> {
    const c = this.config,
      G = c.sampling.num_generations;
    // 1-2. prompts -> G completions each -> weighted rewards (dynamic sampling may take several rounds)
    const ctx = {
      ...this.deps,
      lora: this.lora,
      compute: this.compute,
      rng: this.rng,
      config: c,
      progress: this.progress,
      onProgress: this.deps.onProgress,
    };
    const roll = await rollout(ctx, this.deps.train);
    // 3. advantages: within each group (grpo, rloo), per step from fresh rollouts (vineppo), or GAE on a value head (ppo)
    const base: TrainRow[] = roll.kept.completions.map((ids, r) => ({
      promptIds: roll.kept.examples[Math.floor(r / G)].promptIds.slice(-c.sampling.max_prompt_length),
      completionIds: ids,
      counts: !(c.grpo.mask_truncated_completions && roll.kept.finish[r] === 'length'), // DAPO overlong filtering
      advantage: 0,
    }));
    const lr = learningRateAt(
      (this.step - this.sftSteps) * c.grpo.num_iterations,
      c.run.max_steps * c.grpo.num_iterations,
      c.optim,
    );
    const { rows, perRow, values: estimated, histograms } = await this.estimator.estimate(ctx, roll.kept, base, lr);
    // 4. mu passes of micro-batched loss, backward, clip, AdamW (skipped when dynamic sampling kept nothing)
    const update = rows.length ? await this.policyUpdates(rows) : null;
    // 5. metrics and the completions log
    this.numTokens += countTokens(roll);
    const values = {
      ...rewardValues(c, roll),
      ...lengthValues(roll),
      ...updateValues(update, c.grpo),
      ...estimated,
      'tokens_per_second/sample': roll.sampledTokens / Math.max(1e-3, roll.sampleMs / 1000),
      rollout_time: roll.rolloutMs / 1000,
      generation_rounds: roll.rounds,
      num_groups: roll.kept.examples.length,
    };
    const all = advantagesOfAll(roll, perRow, G);
    return {
      values,
      samples: logEntries(c, roll, all, this.step + 1),
      histograms: {
        ...histograms,
        advantages: perRow,
        rewards: roll.all.rewards.filter((r): r is number => r !== null),
      },
    };
  }

  private async policyUpdates(rows: TrainRow[]): Promise<UpdateSummary> {
    const c = this.config,
      mu = c.grpo.num_iterations,
      T = c.sampling.temperature > 0 ? c.sampling.temperature : 1;
    const { chunks, tokens } = makeChunks(rows, this.deps.codec.padId, c.run.micro_batch_size);
    const s: LossSettings = {
      lossType: c.grpo.loss_type,
      beta: c.grpo.beta,
      epsilonLow: c.grpo.epsilon,
      epsilonHigh: c.grpo.epsilon_high ?? c.grpo.epsilon,
      importanceSamplingLevel: c.grpo.importance_sampling_level,
      maxCompletionLength: c.sampling.max_completion_length,
      batchSequences: rows.length,
      batchTokens: tokens,
      microBatches: chunks.length,
      entropyCoef: c.grpo.entropy_coef,
      delta: c.grpo.delta,
      sapoTemperaturePos: c.grpo.sapo_temperature_pos,
      sapoTemperatureNeg: c.grpo.sapo_temperature_neg,
      topEntropyQuantile: c.grpo.top_entropy_quantile,
    };
    // the policy before any update (mu > 1), and the reference (adapter off, beta > 0), without gradients
    if (mu > 1)
      (await chunkLogprobs(this.deps.model, this.lora, chunks, this.compute, T)).forEach((lp, i) => {
        chunks[i].oldLogprobs = lp;
      });
    if (c.grpo.beta > 0)
      (await this.referenceLogprobs(chunks, T)).forEach((lp, i) => {
        chunks[i].refLogprobs = lp;
      });
    const t0 = performance.now(),
      per: Omit<UpdateSummary, 'trainTokens' | 'trainMs'>[] = [];
    for (let it = 0; it < mu; it++) {
      const learningRate = learningRateAt((this.step - this.sftSteps) * mu + it, c.run.max_steps * mu, c.optim);
      const m = await policyStep(this.deps.model, this.lora, this.optim, chunks, s, {
        lr: learningRate,
        maxGradNorm: c.optim.max_grad_norm,
        temperature: T,
        compute: this.compute,
      });
      per.push({
        loss: m.loss,
        gradNorm: m.grad_norm,
        learningRate,
        kl: m.kl,
        entropy: m.entropy,
        clipLow: m['clip_ratio/low_mean'],
        clipHigh: m['clip_ratio/high_mean'],
        clipRegion: m['clip_ratio/region_mean'],
        clipLowMin: m['clip_ratio/low_min'],
        clipHighMax: m['clip_ratio/high_max'],
        cispoClip: m.cispo_clip_ratio,
        gradVariance: m.grad_variance,
      });
      this.deps.onProgress?.('train', it + 1, mu);
    }
    const width = chunks[0].batch.ids[0].length;
    const avg = (k: keyof (typeof per)[number]) => mean(per.map((p) => p[k]));
    return {
      loss: avg('loss'),
      gradNorm: avg('gradNorm'),
      learningRate: per[per.length - 1].learningRate,
      kl: avg('kl'),
      entropy: avg('entropy'),
      clipLow: avg('clipLow'),
      clipHigh: avg('clipHigh'),
      clipRegion: avg('clipRegion'),
      clipLowMin: avg('clipLowMin'),
      clipHighMax: avg('clipHighMax'),
      cispoClip: avg('cispoClip'),
      gradVariance: avg('gradVariance'),
      trainTokens: rows.length * width * mu,
      trainMs: performance.now() - t0,
    };
  }

  private async referenceLogprobs(chunks: MicroBatch[], T: number): Promise<number[][][]> {
    this.lora.enabled = false;
    try {
      return await chunkLogprobs(this.deps.model, this.lora, chunks, this.compute, T);
    } finally {
      this.lora.enabled = true;
    }
  }

  /** Clip, then one AdamW update at the schedule's learning rate; disposes the gradients. */
  private async applyUpdate(
    grads: tf.Tensor[],
    update: number,
    total: number,
  ): Promise<{ gradNorm: number; learningRate: number }> {
    const lr = learningRateAt(update, total, this.config.optim);
    const maxGradNorm = this.config.optim.max_grad_norm;
    const gradNorm = await optimizerStep(this.optim, grads, { lr, maxGradNorm, ops: this.compute.ops });
    return { gradNorm, learningRate: lr };
  }

  private async sftStep(): Promise<{
    values: Record<string, number>;
    samples: CompletionLogEntry[];
    histograms?: undefined;
  }> {
    const c = this.config,
      n = c.run.prompts_per_step * c.sampling.num_generations;
    const examples = Array.from({ length: n }, () => this.deps.train.next());
    const rows: TrainRow[] = examples.map((e) => {
      if (!e.targetIds?.length)
        throw new SftDataError(
          `SFT needs reference answers, but the example "${e.prompt.slice(0, 60)}" has none: set data.answer_field to the column that holds them`,
        );
      return {
        promptIds: e.promptIds.slice(-c.sampling.max_prompt_length),
        completionIds: e.targetIds.slice(0, c.sampling.max_completion_length),
        counts: true,
        advantage: 0,
      };
    });
    const { chunks, tokens } = makeChunks(rows, this.deps.codec.padId, c.run.micro_batch_size);
    const t0 = performance.now();
    this.lora.training = true;
    let r: Awaited<ReturnType<typeof accumulateGradients>>;
    try {
      r = await accumulateGradients(
        this.lora.variables(),
        chunks.map((ch) => () => sftMicroLoss(this.deps.model, this.lora, ch, tokens, this.compute)),
      );
    } finally {
      this.lora.training = false;
    }
    const u = await this.applyUpdate(r.grads, this.step, this.sftSteps);
    this.numTokens += rows.reduce((a, x) => a + x.promptIds.length + x.completionIds.length, 0);
    const width = chunks[0].batch.ids[0].length,
      ms = performance.now() - t0;
    const values = {
      loss: r.loss,
      grad_norm: u.gradNorm,
      learning_rate: u.learningRate,
      entropy: r.extras.reduce((a, e) => a + e[0], 0) / Math.max(1, tokens),
      'tokens_per_second/train': (rows.length * width) / Math.max(1e-3, ms / 1000),
    };
    return { values, samples: [] };
  }

  /** Accuracy on the held-out examples with the current adapter; kept in `evals`. */
  async evaluate(): Promise<EvalResult> {
    const r = await evaluate(
      {
        ...this.deps,
        lora: this.lora,
        compute: this.compute,
        config: this.config,
        progress: this.progress,
        onProgress: (d, t) => this.deps.onProgress?.('eval', d, t),
      },
      this.deps.evalSet,
      this.step,
    );
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

function countTokens(roll: Rollout): number {
  const G = roll.all.completions.length / Math.max(1, roll.all.examples.length);
  return roll.all.completions.reduce(
    (a, c, r) => a + c.length + roll.all.examples[Math.floor(r / G)].promptIds.length,
    0,
  );
}

export interface RunHooks {
  /** Asked before each step; false ends the loop with the state kept (pause, stop). */
  shouldContinue(): boolean;
  onStep?(r: StepResult): void | Promise<void>;
  onEval?(r: EvalResult): void | Promise<void>;
  /** Saves a checkpoint: every save_steps and at the end. */
  save?(): Promise<void>;
}

/** Runs steps until the run completes ('done') or shouldContinue says no ('interrupted'). */
export async function runTraining(t: Trainer, hooks: RunHooks): Promise<'done' | 'interrupted'> {
  // results are computed before the optional hooks are called: `hook?.(expr)` skips expr when hook is absent
  const evaluate = async () => {
    const r = await t.evaluate();
    await hooks.onEval?.(r);
  };
  if (t.step === 0 && t.evals.length === 0 && t.deps.evalSet.length) await evaluate(); // baseline
  while (!t.done) {
    if (!hooks.shouldContinue()) return 'interrupted';
    const r = await t.trainStep();
    await hooks.onStep?.(r);
    if (t.evalDue()) await evaluate();
    if (t.saveDue()) await hooks.save?.();
  }
  return 'done';
}
