// The trainer behind the worker boundary: one run at a time, its state machine (ready -> running ->
// pausing -> paused -> running ... -> done | stopped | error), checkpoints on schedule and on pause/stop,
// and every result turned into an event. Implements TrainerApi, like the main-thread client, so tests
// drive it in-process and the worker only routes messages to it.
//
//   const session = new TrainingSession(env)      // env: backend, model loading, data + rewards, storage
//   session.on((e) => post(e)); await session.start(config)
import { setFused } from '../engine/kernels/flag.ts';
import { LoraAdapter } from '../engine/lora.ts';
import { parseRunConfig, type RunConfig } from '../engine/config.ts';
import type { BackendInfo, BackendName } from '../engine/backend.ts';
import type { CausalLM } from '../engine/model/model.ts';
import { paramCount } from '../engine/model/spec.ts';
import { Trainer, runTraining, type Codec, type Example, type ExampleStream, type Scorer } from '../engine/trainer.ts';
import { CheckpointManager, type BlobStore, type CheckpointInfo, type RunRecord } from '../engine/checkpoint.ts';
import { completionsToJsonl, diagnose, metricsToCsv, metricsToJsonl } from '../engine/metrics.ts';
import type { EvalResult } from '../engine/evaluate.ts';
import {
  toErrorInfo,
  type HubSettings,
  type ModelInfo,
  type PeftFiles,
  type Progress,
  type RunState,
  type RunStatus,
  type RunHistory,
  type TrainerApi,
  type TrainerEvent,
} from './protocol.ts';

export interface LoadedModel {
  model: CausalLM;
  codec: Codec;
  info: ModelInfo;
  dispose?(): void;
}

/** The data and rewards of a run, built from its config by the data and reward layers. */
export interface RunInputs {
  train: ExampleStream;
  evalSet: Example[];
  score: Scorer;
  /** Cumulative counters merged into each step's metrics (reward failures and time-outs). */
  counters?(): Record<string, number>;
  dispose?(): void;
}

export interface SessionEnv {
  initBackend(prefer?: BackendName): Promise<BackendInfo>;
  loadModel(model: RunConfig['model'], onProgress: (p: Progress) => void, hub: HubSettings): Promise<LoadedModel>;
  prepareRun(config: RunConfig, model: LoadedModel): Promise<RunInputs>;
  store: BlobStore;
  /** Calls back once if the GPU device is lost (driver reset, out of memory), so the run stops with a message. */
  watchDevice?(onLost: (message: string) => void): void;
}

export class BusyError extends Error {
  readonly name = 'BusyError';
}

export class DeviceLostError extends Error {
  readonly name = 'DeviceLostError';
}

export function modelInfo(id: string, model: CausalLM, revision: string | null = null): ModelInfo {
  const s = model.spec;
  return {
    id,
    revision,
    arch: s.arch,
    layers: s.layers,
    hidden: s.hidden,
    vocabSize: s.vocabSize,
    parameters: paramCount(s),
  };
}

export class TrainingSession implements TrainerApi {
  private listeners = new Set<(e: TrainerEvent) => void>();
  private readonly ckpts: CheckpointManager;
  private loaded: { key: string; m: LoadedModel } | null = null;
  private inputs: RunInputs | null = null;
  private trainer: Trainer | null = null;
  private runId: string | null = null;
  private state: RunState = 'idle';
  private loop: Promise<void> | null = null;
  private interrupt: 'pause' | 'stop' | null = null;
  private between: Array<() => Promise<void>> = [];
  private watching = false;
  private hub: HubSettings = {};

  constructor(private readonly env: SessionEnv) {
    this.ckpts = new CheckpointManager(env.store);
  }

  on(listener: (e: TrainerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(e: TrainerEvent): void {
    for (const l of this.listeners) l(e);
  }

  private setState(state: RunState, message?: string): RunStatus {
    this.state = state;
    const status = this.statusNow(message);
    this.emit({ kind: 'state', status });
    return status;
  }

  private statusNow(message?: string): RunStatus {
    return {
      state: this.state,
      runId: this.runId,
      step: this.trainer?.step ?? 0,
      totalSteps: this.trainer?.totalSteps ?? 0,
      ...(message ? { message } : {}),
    };
  }

  async status(): Promise<RunStatus> {
    return this.statusNow();
  }

  async init(backend?: BackendName): Promise<BackendInfo> {
    const info = await this.env.initBackend(backend);
    if (!this.watching) {
      this.watching = true;
      this.env.watchDevice?.((message) => this.fail(new DeviceLostError(`the GPU device was lost (${message})`)));
    }
    return info;
  }

  async setHub(settings: HubSettings): Promise<void> {
    this.hub = { ...settings };
  }

  async loadModel(model: RunConfig['model']): Promise<ModelInfo> {
    const key = `${this.hub.endpoint ?? ''} ${model.id}@${model.revision}/${model.weight_dtype}`;
    if (this.loaded?.key === key) return this.loaded.m.info;
    this.assertIdle();
    this.setState('loading');
    try {
      this.loaded?.m.model.dispose();
      this.loaded?.m.dispose?.();
      this.loaded = null;
      const m = await this.env.loadModel(model, (progress) => this.emit({ kind: 'progress', progress }), this.hub);
      this.loaded = { key, m };
      this.setState('ready');
      return m.info;
    } catch (e) {
      this.fail(e);
      throw e;
    }
  }

  async start(input: unknown): Promise<RunStatus> {
    this.assertIdle();
    const config = parseRunConfig(input);
    await this.prepare(config);
    this.trainer = Trainer.create(config, this.deps());
    this.runId = `${new Date()
      .toISOString()
      .replace(/[-:.TZ]/g, '')
      .slice(0, 14)}-${Math.random().toString(36).slice(2, 6)}`;
    return this.launch();
  }

  async resumeRun(runId: string): Promise<RunStatus> {
    this.assertIdle();
    const { snapshot, info, skipped } = await this.ckpts.load(runId);
    for (const s of skipped)
      this.emit({
        kind: 'log',
        message: `checkpoint of step ${s.info.step} is unusable (${s.error}); resuming from step ${info.step}`,
      });
    await this.prepare(snapshot.config);
    this.trainer = Trainer.restore(snapshot, this.deps());
    this.runId = runId;
    return this.launch();
  }

  /** Model, data and rewards for a run; the previous run's trainer and inputs are released. */
  private async prepare(config: RunConfig): Promise<void> {
    await this.init();
    setFused(config.run.fused_kernels ? 'auto' : false);
    await this.loadModel(config.model);
    this.loaded!.m.model.gradientCheckpointing = config.run.gradient_checkpointing;
    this.trainer?.dispose();
    this.trainer = null;
    this.inputs?.dispose?.();
    this.inputs = await this.env.prepareRun(config, this.loaded!.m);
  }

  private deps() {
    const m = this.loaded!.m,
      i = this.inputs!;
    return {
      model: m.model,
      codec: m.codec,
      train: i.train,
      evalSet: i.evalSet,
      score: i.score,
      onProgress: (stage: Progress['stage'], done: number, total: number) =>
        this.emit({ kind: 'progress', progress: { stage, done, total, step: (this.trainer?.step ?? 0) + 1 } }),
    };
  }

  private launch(): RunStatus {
    this.interrupt = null;
    const status = this.setState('running');
    this.loop = this.runLoop();
    return status;
  }

  private async runLoop(): Promise<void> {
    const t = this.trainer!;
    try {
      const end = await runTraining(t, {
        shouldContinue: () => this.interrupt === null,
        onStep: async (r) => {
          Object.assign(r.metrics.values, this.inputs?.counters?.());
          this.emit({ kind: 'metrics', metrics: r.metrics });
          if (r.samples.length) this.emit({ kind: 'samples', step: r.metrics.step, entries: r.samples });
          const alerts = diagnose(t.history);
          if (alerts.length) this.emit({ kind: 'alert', alerts });
          await this.runBetween();
          // let queued commands (pause, stop) in: on the CPU backend a step never waits for a macrotask
          await new Promise((resolve) => setTimeout(resolve, 0));
        },
        onEval: (result) => this.emit({ kind: 'eval', result }),
        save: async () => {
          await this.saveNow();
        },
      });
      if (this.state === 'error') return; // failed from outside the loop (device lost): save nothing from a broken device
      if (end === 'done') {
        await this.saveNow(true);
        this.setState('done');
        return;
      }
      await this.saveNow();
      this.setState(this.interrupt === 'stop' ? 'stopped' : 'paused');
    } catch (e) {
      this.fail(e);
    } finally {
      await this.runBetween();
    }
  }

  private fail(e: unknown): void {
    const error = toErrorInfo(e);
    const lost = /device (was )?lost|out of memory|OOM/i.test(error.message);
    if (lost)
      error.message = `${error.message}. The GPU stopped mid-step (device lost or out of memory); the last checkpoint is intact: reload the page and resume, with a smaller model, fewer generations or shorter completions.`;
    this.interrupt = 'stop';
    this.emit({ kind: 'error', error });
    this.setState('error', error.message);
  }

  private async runBetween(): Promise<void> {
    const tasks = this.between.splice(0);
    for (const task of tasks) await task();
  }

  /** Runs `fn` between two steps: now when no step is running, else right after the current one. */
  private betweenSteps<T>(fn: () => Promise<T>): Promise<T> {
    if (this.state !== 'running' && this.state !== 'pausing' && this.state !== 'stopping') return fn();
    return new Promise<T>((resolve, reject) => this.between.push(() => fn().then(resolve, reject)));
  }

  async pause(): Promise<RunStatus> {
    if (this.state !== 'running') return this.statusNow();
    this.interrupt = 'pause';
    this.setState('pausing');
    await this.loop;
    return this.statusNow();
  }

  async resume(): Promise<RunStatus> {
    if (this.state !== 'paused' || !this.trainer)
      throw new BusyError(
        `cannot resume: the run is ${this.state}; only a paused run resumes (use resumeRun for a saved one)`,
      );
    return this.launch();
  }

  async stop(): Promise<RunStatus> {
    if (this.state === 'running' || this.state === 'pausing') {
      this.interrupt = 'stop';
      this.setState('stopping');
      await this.loop;
    } else if (this.state === 'paused') {
      this.setState('stopped');
    }
    return this.statusNow();
  }

  evaluate(): Promise<EvalResult> {
    return this.betweenSteps(async () => {
      const result = await this.needTrainer().evaluate();
      this.emit({ kind: 'eval', result });
      return result;
    });
  }

  async evaluateModel(input: unknown, adapter: PeftFiles | null): Promise<EvalResult> {
    this.assertIdle();
    let config = parseRunConfig(input);
    if (adapter) {
      const a = adapter.config;
      config = parseRunConfig({
        ...config,
        lora: {
          r: a.r,
          alpha: a.lora_alpha ?? a.r,
          target_modules: a.target_modules,
          use_rslora: a.use_rslora === true,
          dropout: 0,
        },
      });
    }
    await this.prepare(config);
    this.trainer = Trainer.create(config, this.deps());
    if (adapter) {
      const src = LoraAdapter.fromPeft(this.loaded!.m.model.spec, adapter.config, adapter.weights);
      for (const [key, pair] of src.pairs) {
        const dst = this.trainer.lora.pairs.get(key)!;
        dst.A.assign(pair.A);
        dst.B.assign(pair.B);
      }
      src.dispose();
    }
    const result = await this.trainer.evaluate();
    this.emit({ kind: 'eval', result });
    return result;
  }

  save(): Promise<CheckpointInfo> {
    return this.betweenSteps(() => this.saveNow());
  }

  private async saveNow(finished = false): Promise<CheckpointInfo> {
    const t = this.needTrainer();
    this.emit({ kind: 'progress', progress: { stage: 'save', done: 0, total: 1, step: t.step } });
    const info = await this.ckpts.save(this.runId!, await t.snapshot(), {
      keep: t.config.run.save_total_limit,
      finished,
    });
    this.emit({ kind: 'checkpoint', info });
    return info;
  }

  listRuns(): Promise<RunRecord[]> {
    return this.ckpts.listRuns();
  }

  async runHistory(runId: string): Promise<RunHistory> {
    if (runId === this.runId && this.trainer) {
      const t = this.trainer;
      return { runId, config: t.config, history: [...t.history], evals: [...t.evals] };
    }
    const { snapshot } = await this.ckpts.load(runId);
    return { runId, config: snapshot.config, history: snapshot.state.history, evals: snapshot.state.evals };
  }

  async deleteRun(runId: string): Promise<void> {
    if (runId === this.runId && ['running', 'pausing', 'stopping'].includes(this.state))
      throw new BusyError('stop the run before deleting it');
    await this.ckpts.deleteRun(runId);
  }

  async exportAdapter(): Promise<PeftFiles> {
    const t = this.needTrainer();
    const info = this.loaded?.m.info;
    return this.betweenSteps(() => t.lora.toPeft(info?.id ?? t.config.model.id, info?.revision ?? null));
  }

  async exportMetrics(format: 'jsonl' | 'csv'): Promise<string> {
    const h = this.needTrainer().history;
    return format === 'csv' ? metricsToCsv(h) : metricsToJsonl(h);
  }

  async exportCompletions(): Promise<string> {
    return completionsToJsonl(this.needTrainer().completions);
  }

  private needTrainer(): Trainer {
    if (!this.trainer) throw new BusyError('no run yet: start a run or resume a saved one first');
    return this.trainer;
  }

  private assertIdle(): void {
    if (['running', 'pausing', 'stopping', 'loading'].includes(this.state))
      throw new BusyError(`the trainer is ${this.state}; pause or stop the run first`);
  }
}
