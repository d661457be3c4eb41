// The training worker as reactive state: the one place where worker events become $state. Components read
// this and call its methods; nothing else talks to the worker.
//
//   const run = new RunState(); await run.start(config); run.history.at(-1)?.values.reward
import { TrainerClient } from '../../worker/client.ts';
import type {
  RunStatus,
  StepMetrics,
  CompletionLogEntry,
  EvalResult,
  HealthAlert,
  Progress,
  ModelInfo,
  RunRecord,
  TrainerEvent,
  BackendInfo,
  PeftFiles,
  HubSettings,
} from '../../worker/protocol.ts';
import type { RunConfig } from '../../engine/config.ts';
import { clearHubCache } from '../../hub/download.ts';
import { SummaryStore } from '../eval/summaries.svelte.ts';

/** One file of a model download: bytes so far and in all (0 when the server does not say). */
export interface FileProgress {
  loaded: number;
  total: number;
}

export class RunState {
  status = $state<RunStatus>({ state: 'idle', runId: null, step: 0, totalSteps: 0 });
  progress = $state<Progress | null>(null);
  files = $state<Record<string, FileProgress>>({});
  history = $state<StepMetrics[]>([]);
  samples = $state<CompletionLogEntry[]>([]);
  evals = $state<EvalResult[]>([]);
  alerts = $state<HealthAlert[]>([]);
  runs = $state<RunRecord[]>([]);
  model = $state<ModelInfo | null>(null);
  backend = $state<BackendInfo | null>(null);
  error = $state<string | null>(null);
  notice = $state<string | null>(null);
  log = $state<string[]>([]);
  /** Wall-clock ms spent training in this page (pauses excluded), for the ETA and the run comparison. */
  private activeMs = 0;
  private since = 0;
  /** Evaluations of every run this browser has seen, for the comparison across runs. */
  readonly summaries = new SummaryStore();
  private config: RunConfig | null = null;
  /** The model section the worker has loaded, so Train reloads only when it changed. */
  private loaded = '';
  private client: TrainerClient | null = null;

  /** `hub`: the Hub endpoint and token each model load uses (the Model tab's settings). */
  constructor(private readonly hub: () => HubSettings = () => ({})) {}

  readonly busy = $derived(['loading', 'running', 'pausing', 'stopping'].includes(this.status.state));
  readonly hasRun = $derived(['running', 'paused', 'done', 'stopped'].includes(this.status.state));
  /** Seconds left, from the mean time of the steps run in this page. */
  readonly eta = $derived.by(() => {
    const done = this.history.length,
      total = this.status.totalSteps;
    if (!done || !total) return null;
    return (this.elapsed() / done) * Math.max(0, total - this.status.step);
  });

  private elapsed(): number {
    return (this.activeMs + (this.since ? Date.now() - this.since : 0)) / 1000;
  }

  /** The worker with its backend started and the current Hub settings. */
  private async ready(): Promise<TrainerClient> {
    const t = this.trainer();
    this.backend = await t.init('webgpu');
    await t.setHub(this.hub());
    return t;
  }

  private trainer(): TrainerClient {
    if (!this.client) {
      this.client = TrainerClient.spawn();
      this.client.on((e) => this.receive(e));
    }
    return this.client;
  }

  private receive(e: TrainerEvent): void {
    switch (e.kind) {
      case 'state':
        this.setStatus(e.status);
        break;
      case 'progress':
        this.progress = e.progress;
        if (e.progress.stage === 'download' && e.progress.file)
          this.files[e.progress.file] = { loaded: e.progress.done, total: e.progress.total };
        break;
      case 'metrics':
        this.history.push(e.metrics);
        // The worker's state events come at changes of state, not every step: the step counter follows metrics.
        if (e.metrics.step > this.status.step) this.status.step = e.metrics.step;
        break;
      case 'samples':
        this.samples = [...e.entries, ...this.samples].slice(0, 500);
        break;
      case 'eval':
        this.evals.push(e.result);
        if (this.status.runId)
          this.summaries.record(
            this.status.runId,
            this.config?.model.id ?? this.model?.id ?? '?',
            this.config?.data.dataset ?? '?',
            e.result,
            this.elapsed(),
          );
        break;
      case 'alert':
        this.alerts = e.alerts;
        break;
      case 'error':
        this.error = `${e.error.name}: ${e.error.message}${e.error.problems ? `\n${e.error.problems.join('\n')}` : ''}`;
        break;
      case 'log':
        this.log = [...this.log.slice(-50), e.message];
        break;
      case 'checkpoint':
        void this.refreshRuns();
        break;
    }
  }

  /** Keeps the training clock running only while the worker is running. */
  private setStatus(s: RunStatus): void {
    const wasRunning = this.status.state === 'running';
    this.status = s;
    if (s.state === 'error' && s.message) this.error = s.message;
    if (s.state === 'running' && !this.since) this.since = Date.now();
    if (!wasRunning || s.state === 'running') return;
    if (this.since) this.activeMs += Date.now() - this.since;
    this.since = 0;
  }

  private async guard<T>(f: () => Promise<T>): Promise<T | undefined> {
    this.error = null;
    try {
      return await f();
    } catch (e) {
      this.error = `${(e as Error).name}: ${(e as Error).message}${(e as { problems?: string[] }).problems?.length ? `\n${(e as { problems: string[] }).problems.join('\n')}` : ''}`;
      return undefined;
    }
  }

  private clearRun(): void {
    this.history = [];
    this.samples = [];
    this.evals = [];
    this.alerts = [];
    this.activeMs = 0;
    this.since = 0;
    this.notice = null;
  }

  /** Downloads (with per-file progress) and loads the model, so a later Train starts at once. */
  async loadModel(model: RunConfig['model']): Promise<void> {
    this.files = {};
    await this.guard(async () => {
      const t = await this.ready();
      this.loaded = '';
      this.model = await t.loadModel($state.snapshot(model));
      this.loaded = this.modelKey($state.snapshot(model) as RunConfig['model']);
    });
  }

  /** The model section and the endpoint it is loaded from. */
  private modelKey(model: RunConfig['model']): string {
    return JSON.stringify([model, this.hub().endpoint ?? '']);
  }

  async start(config: RunConfig): Promise<void> {
    this.clearRun();
    this.config = $state.snapshot(config) as RunConfig;
    if (this.loaded !== this.modelKey(this.config.model)) await this.loadModel(config.model);
    if (this.error) return;
    await this.guard(async () => {
      this.setStatus(await this.trainer().start(this.config));
    });
  }

  async resumeRun(runId: string): Promise<void> {
    this.clearRun();
    this.config = null;
    await this.guard(async () => {
      const t = await this.ready();
      this.setStatus(await t.resumeRun(runId));
    });
  }

  pause = () =>
    this.guard(async () => {
      this.setStatus(await this.trainer().pause());
    });
  resume = () =>
    this.guard(async () => {
      this.setStatus(await this.trainer().resume());
    });
  stop = () =>
    this.guard(async () => {
      this.setStatus(await this.trainer().stop());
    });
  evaluate = () => this.guard(() => this.trainer().evaluate());
  save = () =>
    this.guard(async () => {
      const c = await this.trainer().save();
      this.notice = `Saved a checkpoint at step ${c.step}.`;
    });
  exportAdapter = () => this.guard(() => this.trainer().exportAdapter());
  exportMetrics = (f: 'jsonl' | 'csv') => this.guard(() => this.trainer().exportMetrics(f));
  exportCompletions = () => this.guard(() => this.trainer().exportCompletions());
  runHistory = (id: string) => this.guard(() => this.trainer().runHistory(id));
  deleteRun = (id: string) =>
    this.guard(async () => {
      await this.trainer().deleteRun(id);
      this.summaries.remove(id);
      await this.refreshRuns();
    });

  /** Evaluates the model of `config` with an imported PEFT adapter; the result joins the run comparison. */
  async evaluateAdapter(config: RunConfig, adapter: PeftFiles, name: string): Promise<void> {
    await this.guard(async () => {
      const t = await this.ready();
      this.notice = `Evaluating ${name} on ${config.data.dataset}…`;
      const r = await t.evaluateModel($state.snapshot(config), adapter);
      this.summaries.record(`import:${name}`, `${name} (${config.model.id})`, config.data.dataset, r, 0);
      this.notice = `${name}: accuracy ${(100 * r.accuracy).toFixed(1)}% on ${r.n} examples of ${config.data.dataset}; see Evaluation.`;
    });
    if (this.error) this.notice = null;
  }

  async clearDownloads(): Promise<void> {
    await this.guard(async () => {
      const had = await clearHubCache();
      this.notice = had ? 'Deleted the downloaded models from this browser.' : 'No downloaded models were stored.';
    });
  }

  async refreshRuns(): Promise<void> {
    await this.guard(async () => {
      this.runs = await this.trainer().listRuns();
    });
  }
}
