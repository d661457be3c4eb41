// The run a session holds and what is read from it: the state (the state machine's current state and the
// status events), the trainer and id of the run in memory, the model it runs on, and the queries and
// exports of any run, answered from memory for the live run and from its newest intact checkpoint for a
// saved one. Tasks on the live run wait for the end of the current step. TrainingSession (session.ts)
// adds the commands that start, pause, resume and stop runs.
import { CheckpointManager, type RunRecord } from '../engine/checkpoint.ts';
import { completionsToJsonl, metricsToCsv, metricsToJsonl } from '../engine/metrics.ts';
import type { Trainer } from '../engine/trainer.ts';
import * as saved from './saved-runs.ts';
import { SessionBase } from './session-base.ts';
import type { LoadedModel, SessionEnv } from './session-env.ts';
import {
  BusyError,
  type HistoryHeld,
  type PeftFiles,
  type RunHistory,
  type RunState,
  type RunStatus,
} from './protocol.ts';

export abstract class SessionRuns extends SessionBase {
  protected readonly ckpts: CheckpointManager;
  protected loaded: { key: string; m: LoadedModel } | null = null;
  protected trainer: Trainer | null = null;
  protected runId: string | null = null;
  protected state: RunState = 'idle';
  protected message: string | undefined;
  private between: Array<() => Promise<void>> = [];

  constructor(env: SessionEnv) {
    super(env);
    this.ckpts = new CheckpointManager(env.store, { mirror: env.mirror });
  }

  currentState = (): RunState => this.state;

  protected setState(state: RunState, message?: string): RunStatus {
    this.state = state;
    this.message = message;
    const status = this.statusNow();
    this.emit({ kind: 'state', status });
    return status;
  }

  protected statusNow(): RunStatus {
    return {
      state: this.state,
      runId: this.runId,
      step: this.trainer?.step ?? 0,
      totalSteps: this.trainer?.totalSteps ?? 0,
      ...(this.message ? { message: this.message } : {}),
    };
  }

  status = async (): Promise<RunStatus> => this.statusNow();

  /** Runs the tasks that waited for the end of the current step. */
  protected async runBetween(): Promise<void> {
    const tasks = this.between.splice(0);
    for (const task of tasks) await task();
  }

  /** Runs `fn` between two steps: now when no step is running, else right after the current one. */
  protected betweenSteps<T>(fn: () => Promise<T>): Promise<T> {
    if (this.state !== 'running' && this.state !== 'pausing' && this.state !== 'stopping') return fn();
    return new Promise<T>((resolve, reject) => this.between.push(() => fn().then(resolve, reject)));
  }

  listRuns(): Promise<RunRecord[]> {
    return this.ckpts.listRuns();
  }

  async runHistory(runId: string, held?: HistoryHeld): Promise<RunHistory> {
    const t = this.live(runId);
    return t ? saved.liveHistory(runId, t, this.state, held) : saved.savedHistory(this.ckpts, runId);
  }

  async exportAdapter(runId?: string): Promise<PeftFiles> {
    const t = this.live(runId);
    const info = this.loaded?.m.info;
    if (t) return this.betweenSteps(() => t.lora.toPeft(info?.id ?? t.config.model.id, info?.revision ?? null));
    return saved.adapterOf((await this.ckpts.load(this.savedId(runId))).snapshot);
  }

  exportMetrics = async (format: 'jsonl' | 'csv', runId?: string) =>
    (format === 'csv' ? metricsToCsv : metricsToJsonl)((await this.historyOf(runId)).history);

  exportCompletions = async (runId?: string) => completionsToJsonl((await this.historyOf(runId)).samples);

  /** The trainer in memory when `runId` (by default the live run) is its run. */
  private live(runId?: string): Trainer | null {
    return this.trainer && (runId === undefined || runId === this.runId) ? this.trainer : null;
  }

  private savedId(runId: string | undefined | null): string {
    if (!runId) throw new BusyError('no run yet: start a run, or name a saved one');
    return runId;
  }

  private historyOf = (runId?: string) => this.runHistory(this.savedId(runId ?? this.runId));

  protected needTrainer(): Trainer {
    if (!this.trainer) throw new BusyError('no run yet: start a run or resume a saved one first');
    return this.trainer;
  }
}
