// The trainer behind the worker boundary: one run at a time, its state machine (the table ACCEPTS in
// protocol.ts; serve() checks it, and every command that changes the state sets it before its first
// await), checkpoints on schedule and on pause/stop, every result an event. The run held, its state and
// what is read or exported from it are in session-runs.ts. Implements TrainerApi, like
// the main-thread client, so tests drive it in-process and the worker only routes messages to it.
//
//   const session = new TrainingSession(env)      // env: backend, model loading, data + rewards, storage
//   session.on((e) => post(e)); await session.start(config)
import { releasePooledGpuBuffers } from '../engine/gpu-memory.ts';
import { parseRunConfig, type RunConfig } from '../engine/config.ts';
import { Trainer } from '../engine/trainer.ts';
import { runTraining } from '../engine/run-loop.ts';
import type { CheckpointManager, CheckpointInfo } from '../engine/checkpoint.ts';
import { failureInfo, isDeviceLoss, type RunInputs, type SessionEnv } from './session-env.ts';
import type { EvalResult } from '../engine/evaluate.ts';
import { assertRunFits } from '../engine/memory.ts';
import { checkAdapterLora, startingAdapter } from '../engine/lora-start.ts';
import type { LoraAdapter } from '../engine/lora.ts';
import * as saved from './saved-runs.ts';
import { environmentList } from './env-list.ts';
import { SpeedProber, type SpeedReport } from './speed.ts';
import { SessionRuns } from './session-runs.ts';
import type { ModelSpec } from '../engine/model/spec.ts';
import type { StatefulApi } from './serve.ts';
import {
  BusyError,
  canDeleteRun,
  type ModelInfo,
  type PeftFiles,
  type Progress,
  type RunState,
  type RunStatus,
} from './protocol.ts';

export { BusyError };
export { DeviceLostError, modelInfo } from './session-env.ts';
export type { LoadedModel, RunInputs, SessionEnv } from './session-env.ts';

export class TrainingSession extends SessionRuns implements StatefulApi {
  private inputs: RunInputs | null = null;
  private loop: Promise<void> | null = null;
  private interrupt: 'pause' | 'stop' | null = null;
  private readonly prober: SpeedProber;

  constructor(env: SessionEnv) {
    super(env);
    this.prober = new SpeedProber(env);
  }

  /** A few seconds of the real kernels at the model's widths, cached per adapter and shape (speed.ts). */
  probeSpeed(input: unknown, spec?: ModelSpec | null, o: { cachedOnly?: boolean } = {}): Promise<SpeedReport | null> {
    const c = parseRunConfig(input);
    const loaded = this.loaded?.key === saved.modelKey(c.model, this.hub) ? this.loaded.m.model.spec : null;
    const at = { init: () => this.init(), hub: this.hub, noModel: !this.loaded, cachedOnly: !!o.cachedOnly };
    return this.prober.run(c, spec ?? loaded, at);
  }

  async loadModel(model: RunConfig['model']): Promise<ModelInfo> {
    const back = this.state;
    this.setState('loading');
    try {
      const info = await this.ensureModel(model);
      this.setState(this.trainer ? back : 'idle');
      return info;
    } catch (e) {
      this.fail(e);
      throw e;
    }
  }

  /** Loads the model unless it is the one loaded; a live run on another model is released (it is saved). */
  private async ensureModel(model: RunConfig['model']): Promise<ModelInfo> {
    await this.prober.idle(); // a speed probe's buffers are gone before a model's arrive
    const key = saved.modelKey(model, this.hub);
    if (this.loaded?.key === key) return this.loaded.m.info;
    this.dropRun();
    this.loaded?.m.model.dispose();
    this.loaded?.m.dispose?.();
    this.loaded = null;
    this.emit({ kind: 'progress', progress: { stage: 'load', done: 0, total: 1 } });
    const m = await this.env.loadModel(model, (progress) => this.emit({ kind: 'progress', progress }), this.hub);
    this.loaded = { key, m };
    return m.info;
  }

  private dropRun(): void {
    this.trainer?.dispose();
    this.trainer = null;
    this.inputs?.dispose?.();
    this.inputs = null;
    this.runId = null;
  }

  /** A new run; with `adapter` (PEFT files), the run trains that adapter further (lora-start.ts). */
  async start(input: unknown, adapter: PeftFiles | null = null): Promise<RunStatus> {
    const back = this.state;
    this.setState('starting');
    try {
      const config = parseRunConfig(input);
      if (adapter) checkAdapterLora(config, adapter.config); // before any model is loaded
      const initial = await this.prepare(config, adapter);
      this.trainer = Trainer.create(config, this.deps(), initial);
      this.runId = saved.newRunId();
    } catch (e) {
      return this.notStarted(back, e);
    }
    return this.launch();
  }

  async resumeRun(runId: string): Promise<RunStatus> {
    const back = this.state;
    this.setState('starting');
    let got: Awaited<ReturnType<CheckpointManager['load']>>;
    try {
      got = await this.ckpts.load(runId);
      await this.prepare(got.snapshot.config);
      this.trainer = Trainer.restore(got.snapshot, this.deps());
      this.runId = runId;
    } catch (e) {
      return this.notStarted(back, e);
    }
    const note = saved.skippedNote(got.skipped, got.info.step);
    if (note) this.emit({ kind: 'log', message: note });
    return this.launch(note ?? undefined);
  }

  /** A run that did not start leaves the session as it was when nothing was released, else idle. */
  private notStarted(back: RunState, e: unknown): never {
    if (isDeviceLoss(e)) this.fail(e);
    else this.setState(this.trainer ? back : 'idle', this.trainer ? this.message : undefined);
    throw e;
  }

  /** Model, data, rewards and starting adapter of a run; refused before anything is released if one fails. */
  private async prepare(config: RunConfig, adapter: PeftFiles | null = null): Promise<LoraAdapter | undefined> {
    const initial = (await this.fitting(config, adapter))();
    // the trainer chooses its Ops from config.run and the backend, and takes run.gradient_checkpointing
    this.dropRun();
    this.emit({ kind: 'progress', progress: { stage: 'prepare', done: 0, total: 1 } });
    this.inputs = await this.env.prepareRun(config, this.loaded!.m, this.hub).catch((e) => {
      initial?.dispose();
      throw e;
    });
    return initial;
  }

  /** Loads the config's model and checks that the run fits; returns what makes the adapter to start from. */
  private async fitting(config: RunConfig, adapter: PeftFiles | null) {
    const info = await this.init();
    await this.ensureModel(config.model);
    const spec = this.loaded!.m.model.spec;
    assertRunFits(spec, config, info);
    return () => (adapter ? startingAdapter(spec, config, adapter) : undefined);
  }

  private deps(inputs = this.inputs!) {
    const m = this.loaded!.m;
    return {
      model: m.model,
      codec: m.codec,
      train: inputs.train,
      evalSet: inputs.evalSet,
      score: inputs.score,
      ...(inputs.envs ? { envs: inputs.envs } : {}),
      onProgress: (stage: Progress['stage'], done: number, total: number) => {
        if (stage === 'score' && done === 0) releasePooledGpuBuffers(); // sampling's buffers fit nothing in training
        this.emit({ kind: 'progress', progress: { stage, done, total, step: (this.trainer?.step ?? 0) + 1 } });
      },
    };
  }

  private launch(message?: string): RunStatus {
    this.interrupt = null;
    const status = this.setState('running', message);
    this.loop = this.runLoop();
    return status;
  }

  private async runLoop(): Promise<void> {
    const t = this.trainer!;
    try {
      const end = await runTraining(t, {
        shouldContinue: () => this.interrupt === null,
        onStep: async (r) => {
          for (const e of saved.stepEvents(r, t, this.inputs?.counters?.())) this.emit(e);
          await this.runBetween();
          // let queued commands (pause, stop) in: on the CPU backend a step never waits for a macrotask
          await new Promise((resolve) => setTimeout(resolve, 0));
        },
        onEval: (result) => this.emit({ kind: 'eval', result }),
        // the last step's checkpoint is saved once, after the loop, marked finished
        save: async () => {
          if (!t.done) await this.saveNow();
        },
      });
      if (this.state === 'error') return; // failed from outside the loop (device lost): save nothing from a broken device
      await this.saveNow(end === 'done');
      if (end === 'done') this.setState('done');
      else if (this.interrupt === 'stop') this.setState('done', saved.stoppedNote(this.trainer!));
      else this.setState('paused');
    } catch (e) {
      this.fail(e);
    } finally {
      await this.runBetween();
    }
  }

  protected fail(e: unknown): void {
    const error = failureInfo(e);
    this.interrupt = 'stop';
    this.emit({ kind: 'error', error });
    this.setState('error', error.message);
  }

  async pause(): Promise<RunStatus> {
    this.interrupt = 'pause';
    this.setState('pausing');
    await this.loop;
    return this.statusNow();
  }

  async resume(): Promise<RunStatus> {
    if (!this.trainer) throw new BusyError('no paused run in memory: resume a saved run from the Checkpoints screen');
    return this.launch();
  }

  async stop(): Promise<RunStatus> {
    const wasPaused = this.state === 'paused';
    this.interrupt = 'stop';
    this.setState('stopping');
    if (wasPaused)
      this.setState('done', saved.stoppedNote(this.trainer!)); // its checkpoint was saved when it paused
    else await this.loop;
    return this.statusNow();
  }

  async evaluate(): Promise<EvalResult> {
    const run = async () => {
      const result = await this.needTrainer().evaluate();
      this.emit({ kind: 'eval', result });
      return result;
    };
    if (this.state === 'running') return this.betweenSteps(run);
    return this.evaluating(run);
  }

  /** Runs an evaluation outside a step in the `evaluating` state, then returns to the state before. */
  private async evaluating<T>(fn: () => Promise<T>): Promise<T> {
    const back = this.state,
      message = this.message;
    this.setState('evaluating');
    try {
      return await fn();
    } finally {
      if (this.state === 'evaluating') this.setState(this.trainer || back === 'error' ? back : 'idle', message);
    }
  }

  /** An imported adapter gets its own trainer and data beside the live run, which it never touches. */
  evaluateModel(input: unknown, adapter: PeftFiles | null): Promise<EvalResult> {
    const paused = this.state === 'paused';
    return this.evaluating(async () => {
      const config = saved.importedConfig(parseRunConfig(input), adapter);
      if (paused)
        saved.checkSameModel(this.loaded && { key: this.loaded.key, id: this.loaded.m.info.id }, config, this.hub);
      const initial = await this.fitting(config, adapter); // the same loading as a run started from it
      const inputs = await this.env.prepareRun(config, this.loaded!.m, this.hub);
      return saved.evaluateAside(() => Trainer.create(config, this.deps(inputs), initial()), inputs);
    });
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

  environments = environmentList;

  async deleteRun(runId: string): Promise<void> {
    if (!canDeleteRun(this.state, runId === this.runId))
      throw new BusyError(`cannot delete run ${runId} while the session is ${this.state}: stop it first`);
    if (runId === this.runId) {
      this.dropRun();
      this.setState('idle');
    }
    await this.ckpts.deleteRun(runId);
  }
}
