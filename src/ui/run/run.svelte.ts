// The training worker as reactive state: the one place where worker events become $state. Components read
// this and call its methods; nothing else talks to the worker. The run on screen is the worker's own
// history of it (`runHistory`), held as immutable state, to which each step's new part is joined; which
// buttons are enabled comes from the worker's state table (`accepts`), never from rules of its own.
//
//   const run = new RunState(); await run.start(config); run.history.at(-1)?.values.reward
import { TrainerClient } from '../../worker/client.ts';
import { heldOf, joinHistory } from '../../worker/held.ts';
import {
  ACCEPTS,
  ENTERS,
  accepts,
  canDeleteRun,
  type CommandName,
  type RunStatus,
  type EvalResult,
  type HealthAlert,
  type Progress,
  type ModelInfo,
  type RunHistory,
  type RunRecord,
  type TrainerEvent,
  type BackendInfo,
  type PeftFiles,
  type HubSettings,
  type EnvInfo,
} from '../../worker/protocol.ts';
import type { RunConfig } from '../../engine/config.ts';
import type { ModelSpec } from '../../engine/model/spec.ts';
import type { SpeedReport } from '../../worker/speed.ts';
import { clearHubCache } from '../../hub/download.ts';
import { SummaryStore } from '../eval/summaries.svelte.ts';
import { estimateLeft } from './step-view.ts';

/** One file of a model download: bytes so far and in all (0 when the server does not say). */
export interface FileProgress {
  loaded: number;
  total: number;
}

export class RunState {
  status = $state<RunStatus>({ state: 'idle', runId: null, step: 0, totalSteps: 0 });
  progress = $state<Progress | null>(null);
  files = $state<Record<string, FileProgress>>({});
  /** Files of this load the browser's cache refused to keep (they download again next time), as notes. */
  cacheNotes = $state<string[]>([]);
  /** The run on screen, as the worker has it: every step, every evaluation from step 0, recent samples. */
  view = $state.raw<RunHistory | null>(null);
  alerts = $state<HealthAlert[]>([]);
  runs = $state<RunRecord[]>([]);
  model = $state<ModelInfo | null>(null);
  backend = $state<BackendInfo | null>(null);
  error = $state<string | null>(null);
  notice = $state<string | null>(null);
  log = $state<string[]>([]);
  /** The command this page has sent and the worker has not yet taken up (its state shows at once). */
  private pending = $state<CommandName | null>(null);
  /** Evaluations of every run this browser has seen, for the comparison across runs. */
  readonly summaries = new SummaryStore();
  /** The model section the worker has loaded, so Train reloads only when it changed. */
  private loaded = '';
  private client: TrainerClient | null = null;
  private fetching: Promise<void> | null = null;
  private again = false;

  /** `hub`: the Hub endpoint and token each model load uses (the Model tab's settings). */
  constructor(private readonly hub: () => HubSettings = () => ({})) {}

  /** The worker's state, or the one a command just sent moves it to (Train is disabled from the first click). */
  readonly state = $derived(
    this.pending && ACCEPTS[this.status.state].includes(this.pending)
      ? (ENTERS[this.pending] ?? this.status.state)
      : this.status.state,
  );
  readonly history = $derived(this.view?.history ?? []);
  readonly evals = $derived(this.view?.evals ?? []);
  /** Newest first. */
  readonly samples = $derived([...(this.view?.samples ?? [])].reverse());
  readonly busy = $derived(
    ['loading', 'starting', 'running', 'pausing', 'stopping', 'evaluating'].includes(this.state),
  );
  /** Whether the session accepts `command` now: the worker's table, applied to the state shown. */
  can = (command: CommandName) => accepts(this.state, command);
  /** Whether `runId` can be deleted now (the worker's rule: not the run in memory while it is in use). */
  canDelete = (runId: string) => canDeleteRun(this.state, this.status.runId === runId);
  /** Seconds left, from the measured times of the steps so far (a guess while few are measured). */
  readonly eta = $derived(
    this.status.totalSteps
      ? estimateLeft(
          this.history.map((m) => m.values.step_time),
          Math.max(0, this.status.totalSteps - this.status.step),
        )
      : null,
  );

  /** The worker with its backend started and the current Hub settings. */
  private async ready(): Promise<TrainerClient> {
    const t = this.trainer();
    this.backend = await t.init('webgpu');
    await t.setHub(this.hub());
    return t;
  }

  /** The registered environments (the worker lists them; no backend needed). */
  environments(): Promise<EnvInfo[]> {
    return this.trainer().environments();
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
        this.status = e.status;
        if (e.status.state === 'error' && e.status.message) this.error = e.status.message;
        if (e.status.runId && e.status.runId === this.view?.runId) void this.refreshView();
        break;
      case 'progress':
        if (e.progress.notCached) {
          if (!this.cacheNotes.includes(e.progress.notCached))
            this.cacheNotes = [...this.cacheNotes, e.progress.notCached];
          break;
        }
        this.progress = e.progress;
        if (e.progress.stage === 'download' && e.progress.file)
          this.files[e.progress.file] = { loaded: e.progress.done, total: e.progress.total };
        break;
      case 'metrics':
        // The worker's state events come at changes of state, not every step: the step counter follows metrics.
        if (e.metrics.step > this.status.step) this.status.step = e.metrics.step;
        void this.refreshView();
        break;
      case 'samples':
        void this.refreshView();
        break;
      case 'eval':
        if (this.status.runId) this.recordEval(this.status.runId, e.result);
        void this.refreshView();
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

  private recordEval(runId: string, r: EvalResult): void {
    const c = this.view?.runId === runId ? this.view.config : null;
    const elapsed = this.history.reduce((s, m) => s + (m.values.step_time || 0), 0);
    this.summaries.record(runId, c?.model.id ?? this.model?.id ?? '?', c?.data.dataset ?? '?', r, elapsed);
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

  /** Sends a command that changes the state; its state shows from this moment. */
  private async send<T>(command: CommandName, f: () => Promise<T>): Promise<T | undefined> {
    this.pending = command;
    try {
      return await this.guard(f);
    } finally {
      if (this.pending === command) this.pending = null;
    }
  }

  /**
   * The worker's speed probe of a model on this browser's adapter (speed.ts; measured once per adapter and
   * model shape, then cached). `cachedOnly`: null unless it was measured before. Measuring's errors go to `error`.
   */
  probeSpeed = (config: RunConfig, spec: ModelSpec, cachedOnly: boolean): Promise<SpeedReport | null | undefined> => {
    const ask = async () =>
      (await this.ready()).probeSpeed($state.snapshot(config), $state.snapshot(spec), { cachedOnly });
    return cachedOnly ? ask().catch(() => null) : this.guard(ask); // looking in the cache says nothing when it fails
  };

  /** Shows a run: the worker's whole history of it, live or saved. */
  async show(runId: string): Promise<void> {
    await this.guard(async () => {
      const view = await this.trainer().runHistory(runId);
      this.view = view;
      this.alerts = [];
      this.notice = view.skipped.length
        ? `Checkpoints passed over as unreadable: ${view.skipped.map((s) => `step ${s.step} (${s.error})`).join('; ')}.`
        : null;
    });
  }

  /** Fetches the shown run's history again; calls while one is under way coalesce into one more. */
  private async refreshView(): Promise<void> {
    const id = this.view?.runId ?? this.status.runId;
    if (!id || id !== this.status.runId) return;
    if (this.fetching) {
      this.again = true;
      return this.fetching;
    }
    this.fetching = (async () => {
      do {
        this.again = false;
        const base = this.view; // only what came after it is asked for, and joined to it
        const next = await this.trainer()
          .runHistory(id, heldOf(base, id))
          .catch(() => null);
        if (!next || (this.view?.runId ?? id) !== id) continue;
        if (this.view === base) this.view = joinHistory(base, next);
        else this.again = true; // shown anew meanwhile: ask again after what is held now
      } while (this.again);
    })();
    await this.fetching;
    this.fetching = null;
  }

  /** Downloads (with per-file progress) and loads the model, so a later Train starts at once. */
  loadModel = (model: RunConfig['model']) =>
    this.send('loadModel', async () => {
      this.files = {};
      this.cacheNotes = [];
      const t = await this.ready();
      this.loaded = '';
      this.model = await t.loadModel($state.snapshot(model));
      this.loaded = this.modelKey($state.snapshot(model) as RunConfig['model']);
    });

  /** The model section and the endpoint it is loaded from. */
  private modelKey(model: RunConfig['model']): string {
    return JSON.stringify([model, this.hub().endpoint ?? '']);
  }

  /**
   * Starts a new run, from an imported PEFT adapter when given (config.lora must describe it); the run on
   * screen (if any) stays saved in the list.
   */
  start = (input: RunConfig, adapter: PeftFiles | null = null) =>
    this.send('start', async () => {
      const config = $state.snapshot(input) as RunConfig;
      const t = await this.ready();
      if (this.loaded !== this.modelKey(config.model) && accepts(this.status.state, 'loadModel')) {
        this.files = {};
        this.cacheNotes = [];
        this.model = await t.loadModel(config.model);
        this.loaded = this.modelKey(config.model);
      }
      const s = await t.start(config, adapter);
      this.status = s;
      this.notice = null;
      this.alerts = [];
      if (s.runId) await this.show(s.runId);
    });

  /** Continues a saved run from its newest intact checkpoint, with its history from step 0. */
  resumeRun = (runId: string) =>
    this.send('resumeRun', async () => {
      const s = await (await this.ready()).resumeRun(runId);
      this.status = s;
      await this.show(runId);
      this.notice = s.message ? `Resumed: ${s.message}.` : null;
    });

  pause = () => this.send('pause', async () => (this.status = await this.trainer().pause()));
  resume = () => this.send('resume', async () => (this.status = await this.trainer().resume()));
  stop = () => this.send('stop', async () => (this.status = await this.trainer().stop()));
  evaluate = () => this.guard(() => this.trainer().evaluate());
  save = () =>
    this.guard(async () => {
      const c = await this.trainer().save();
      this.notice = `Saved a checkpoint at step ${c.step}.`;
    });
  /** Exports of the run on screen: from memory when it is the live one, else from its saved checkpoint. */
  exportAdapter = () => this.guard(() => this.trainer().exportAdapter(this.view?.runId));
  exportMetrics = (f: 'jsonl' | 'csv') => this.guard(() => this.trainer().exportMetrics(f, this.view?.runId));
  exportCompletions = () => this.guard(() => this.trainer().exportCompletions(this.view?.runId));
  runHistory = (id: string) => this.guard(() => this.trainer().runHistory(id));
  deleteRun = (id: string) =>
    this.guard(async () => {
      await this.trainer().deleteRun(id);
      this.summaries.remove(id);
      if (this.view?.runId === id) this.view = null;
      await this.refreshRuns();
    });

  /** Evaluates the model of `config` with an imported PEFT adapter; the result joins the run comparison. */
  evaluateAdapter = (config: RunConfig, adapter: PeftFiles, name: string) =>
    this.send('evaluateModel', async () => {
      const t = await this.ready();
      this.notice = `Evaluating ${name} on ${config.data.dataset}…`;
      try {
        const r = await t.evaluateModel($state.snapshot(config), adapter);
        this.summaries.record(`import:${name}`, `${name} (${config.model.id})`, config.data.dataset, r, 0);
        this.notice = `${name}: accuracy ${(100 * r.accuracy).toFixed(1)}% on ${r.n} examples of ${config.data.dataset}; see Evaluation.`;
      } catch (e) {
        this.notice = null;
        throw e;
      }
    });

  async clearDownloads(): Promise<void> {
    await this.guard(async () => {
      const had = await clearHubCache();
      this.notice = had ? 'Deleted the downloaded models from this browser.' : 'No downloaded models were stored.';
    });
  }

  /** Lists the saved runs; with no run on screen yet, shows the newest readable one (as after a reload). */
  async refreshRuns(): Promise<void> {
    await this.guard(async () => {
      this.runs = await this.trainer().listRuns();
    });
    const newest = this.runs.find((r) => r.checkpoints.length);
    if (!this.view && newest && this.status.state === 'idle' && !this.pending) await this.show(newest.runId);
  }
}
