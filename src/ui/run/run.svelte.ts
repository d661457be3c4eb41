// The training worker as reactive state: the one place where worker events become $state. Components read
// this and call its methods; nothing else talks to the worker.
import { TrainerClient } from '../../worker/client.ts';
import type { RunStatus, StepMetrics, CompletionLogEntry, EvalResult, HealthAlert, Progress, ModelInfo, RunRecord, TrainerEvent, BackendInfo } from '../../worker/protocol.ts';
import type { RunConfig } from '../../engine/config.ts';

export class RunState {
  status = $state<RunStatus>({ state: 'idle', runId: null, step: 0, totalSteps: 0 });
  progress = $state<Progress | null>(null);
  history = $state<StepMetrics[]>([]);
  samples = $state<CompletionLogEntry[]>([]);
  evals = $state<EvalResult[]>([]);
  alerts = $state<HealthAlert[]>([]);
  runs = $state<RunRecord[]>([]);
  model = $state<ModelInfo | null>(null);
  backend = $state<BackendInfo | null>(null);
  error = $state<string | null>(null);
  log = $state<string[]>([]);
  startedAt = $state(0);

  private client: TrainerClient | null = null;

  readonly busy = $derived(['loading', 'running', 'pausing', 'stopping'].includes(this.status.state));
  /** Seconds left, from the mean time per step so far. */
  readonly eta = $derived.by(() => {
    const done = this.history.length, total = this.status.totalSteps;
    if (!done || !total || !this.startedAt) return null;
    return ((Date.now() - this.startedAt) / 1000 / done) * Math.max(0, total - this.status.step);
  });

  private trainer(): TrainerClient {
    if (!this.client) {
      this.client = TrainerClient.spawn();
      this.client.on((e) => this.receive(e));
    }
    return this.client;
  }

  private receive(e: TrainerEvent): void {
    switch (e.kind) {
      case 'state': this.status = e.status; if (e.status.message && e.status.state === 'error') this.error = e.status.message; break;
      case 'progress': this.progress = e.progress; break;
      case 'metrics': this.history.push(e.metrics); break;
      case 'samples': this.samples = [...e.entries, ...this.samples].slice(0, 500); break;
      case 'eval': this.evals.push(e.result); break;
      case 'alert': this.alerts = e.alerts; break;
      case 'error': this.error = `${e.error.name}: ${e.error.message}${e.error.problems ? `\n${e.error.problems.join('\n')}` : ''}`; break;
      case 'log': this.log = [...this.log.slice(-50), e.message]; break;
      case 'checkpoint': void this.refreshRuns(); break;
    }
  }

  private async guard<T>(f: () => Promise<T>): Promise<T | undefined> {
    this.error = null;
    try { return await f(); } catch (e) { this.error = `${(e as Error).name}: ${(e as Error).message}`; return undefined; }
  }

  async start(config: RunConfig): Promise<void> {
    this.history = []; this.samples = []; this.evals = []; this.alerts = []; this.startedAt = Date.now();
    await this.guard(async () => {
      const t = this.trainer();
      this.backend = await t.init('webgpu');
      this.model = await t.loadModel($state.snapshot(config.model));
      this.status = await t.start($state.snapshot(config));
    });
  }

  async resumeRun(runId: string): Promise<void> {
    this.history = []; this.samples = []; this.evals = []; this.startedAt = Date.now();
    await this.guard(async () => { const t = this.trainer(); this.backend = await t.init('webgpu'); this.status = await t.resumeRun(runId); });
  }

  pause = () => this.guard(async () => { this.status = await this.trainer().pause(); });
  resume = () => this.guard(async () => { this.status = await this.trainer().resume(); });
  stop = () => this.guard(async () => { this.status = await this.trainer().stop(); });
  evaluate = () => this.guard(() => this.trainer().evaluate());
  save = () => this.guard(() => this.trainer().save());
  exportAdapter = () => this.guard(() => this.trainer().exportAdapter());
  exportMetrics = (f: 'jsonl' | 'csv') => this.guard(() => this.trainer().exportMetrics(f));
  exportCompletions = () => this.guard(() => this.trainer().exportCompletions());
  deleteRun = (id: string) => this.guard(async () => { await this.trainer().deleteRun(id); await this.refreshRuns(); });

  async refreshRuns(): Promise<void> {
    await this.guard(async () => { this.runs = await this.trainer().listRuns(); });
  }
}
