// The typed messages between the main thread and the training worker, and the one interface that both
// the worker-side session and the main-thread client implement (as web-llm's engine and its worker
// client do). Commands carry an `id`; the worker answers each with a `reply` of the same id. Everything
// else the worker sends (state, progress, metrics, samples, eval, checkpoint, alert, error) is an event.
//
//   const trainer = new TrainerClient(new Worker(new URL('./train.worker.ts', import.meta.url), { type: 'module' }))
//   trainer.on((e) => { if (e.kind === 'metrics') chart.push(e.metrics) })
//   await trainer.start(config)        // resolves once the run has begun; steps then stream as events
import type { RunConfig } from '../engine/config.ts';
import type { BackendInfo, BackendName } from '../engine/backend.ts';
import type { StepMetrics, CompletionLogEntry, HealthAlert } from '../engine/metrics.ts';
import type { EvalResult } from '../engine/evaluate.ts';
import type { CheckpointInfo, RunRecord } from '../engine/checkpoint.ts';
import type { ModelSpec } from '../engine/model/spec.ts';
import type { SpeedProbe } from '../engine/predict.ts';

/** What `probeSpeed` answers (speed.ts): the probe, whether it came from the cache, and the model's layer count. */
export interface SpeedReport {
  probe: SpeedProbe;
  cached: boolean;
  layers: number;
}

export type {
  StepMetrics,
  CompletionLogEntry,
  HealthAlert,
  EvalResult,
  CheckpointInfo,
  RunRecord,
  BackendInfo,
  BackendName,
};

/**
 * Life cycle of the worker's session. `starting`: a run's model, data and checkpoint are being prepared;
 * `pausing`/`stopping`: the current step is finishing; `done`: the run ended (finished, or stopped early:
 * then `RunStatus.message` says so and the run resumes from the Checkpoints screen); `evaluating`: an
 * evaluation outside a training step (a paused or ended run's adapter, or an imported one).
 */
export type RunState =
  'idle' | 'loading' | 'starting' | 'running' | 'pausing' | 'paused' | 'stopping' | 'done' | 'error' | 'evaluating';

/** Commands that read or export and never change the state: every state takes them. */
const ALWAYS = [
  'init',
  'setHub',
  'status',
  'listRuns',
  'runHistory',
  'deleteRun',
  'exportAdapter',
  'exportMetrics',
  'exportCompletions',
  'environments',
] as const satisfies readonly CommandName[];

/**
 * The one table of which command each state accepts, besides ALWAYS. The worker's serve() checks every
 * command against it, and the UI enables its buttons from it: there is no other copy of these rules.
 */
export const ACCEPTS: Readonly<Record<RunState, readonly CommandName[]>> = {
  idle: ['loadModel', 'start', 'resumeRun', 'evaluateModel', 'probeSpeed'],
  loading: [],
  starting: [],
  running: ['pause', 'stop', 'evaluate', 'save'],
  pausing: ['stop'],
  paused: ['resume', 'stop', 'evaluate', 'save', 'evaluateModel', 'start', 'resumeRun'],
  stopping: [],
  done: ['loadModel', 'start', 'resumeRun', 'evaluate', 'evaluateModel', 'probeSpeed'],
  error: ['loadModel', 'start', 'resumeRun', 'evaluateModel', 'probeSpeed'],
  evaluating: [],
};

/** Why a state refuses commands, as the refusal says it. */
const BECAUSE: Readonly<Record<RunState, string>> = {
  idle: 'no run is active',
  loading: 'a model is loading',
  starting: 'a run is starting',
  running: 'a run is training',
  pausing: 'the run is pausing after its current step',
  paused: 'a run is paused',
  stopping: 'the run is stopping after its current step',
  done: 'the run has ended',
  error: 'the run failed',
  evaluating: 'an evaluation is running',
};

/** The state a command moves the session to at once (before its first await); the UI shows it on sending. */
export const ENTERS: Readonly<Partial<Record<CommandName, RunState>>> = {
  loadModel: 'loading',
  start: 'starting',
  resumeRun: 'starting',
  pause: 'pausing',
  resume: 'running',
  stop: 'stopping',
  evaluateModel: 'evaluating',
};

/** States in which the run in memory is in use: it cannot be deleted then (stop it first). */
const RUN_IN_USE: readonly RunState[] = ['loading', 'starting', 'running', 'pausing', 'stopping', 'evaluating'];

/** Whether a run can be deleted now: any saved run, and the one in memory unless it is in use. */
export const canDeleteRun = (state: RunState, inMemory: boolean): boolean => !inMemory || !RUN_IN_USE.includes(state);

export function accepts(state: RunState, command: CommandName): boolean {
  return (ALWAYS as readonly CommandName[]).includes(command) || ACCEPTS[state].includes(command);
}

/** Null when `state` accepts `command`; else why not, and in which states it would be accepted. */
export function refusal(state: RunState, command: CommandName): string | null {
  if (accepts(state, command)) return null;
  const when = (Object.keys(ACCEPTS) as RunState[]).filter((s) => ACCEPTS[s].includes(command));
  return `cannot ${command} now: ${BECAUSE[state]}. ${command} is possible when the session is ${when.join(', ')}.`;
}

/** A command refused by the state table (or by a rule of one run, such as deleting the one training). */
export class BusyError extends Error {
  readonly name = 'BusyError';
}

/** An error as it crosses the worker boundary: `name` is the typed error's class (ConfigError, ModelTooLargeError...). */
export interface ErrorInfo {
  name: string;
  message: string;
  problems?: string[];
}

export interface ModelInfo {
  id: string;
  /** The Hub commit the weights came from (null for the demo model and model folders). */
  revision: string | null;
  arch: string;
  layers: number;
  hidden: number;
  vocabSize: number;
  parameters: number;
}

/** Where Hub models come from: the endpoint (HF_ENDPOINT) and an access token for gated or private models. */
export interface HubSettings {
  endpoint?: string;
  token?: string;
}

/** A PEFT adapter folder's two files. */
export interface PeftFiles {
  config: Record<string, unknown>;
  weights: Uint8Array;
}

/** Where the worker is within a step or a download; `done` of `total` in the stage's unit. */
export interface Progress {
  stage: 'download' | 'load' | 'prepare' | 'sample' | 'score' | 'train' | 'eval' | 'save';
  done: number;
  total: number;
  /** download: the file being fetched and bytes of all files. */
  file?: string;
  bytesDone?: number;
  bytesTotal?: number;
  bytesPerSecond?: number;
  etaSeconds?: number | null;
  /** download: a file the browser's cache refused to keep, and what that means (a note; the load goes on). */
  notCached?: string;
  step?: number;
}

export interface RunStatus {
  state: RunState;
  runId: string | null;
  step: number;
  totalSteps: number;
  message?: string;
}

/** A checkpoint passed over because it did not read back intact, and why. */
export interface SkippedCheckpoint {
  step: number;
  error: string;
}

/** How much of the live run's history a caller holds: its first `steps` step metrics and `evals` evaluations, and its samples up to step `sampleStep`. */
export interface HistoryHeld {
  steps: number;
  evals: number;
  sampleStep: number;
}

/** Everything saved of one run: what the run screens show and what its exports are made of. */
export interface RunHistory {
  runId: string;
  config: RunConfig;
  /** Every step's metrics from step 1, and every evaluation from the baseline (step 0). */
  history: StepMetrics[];
  evals: EvalResult[];
  /** The completions log (newest last, at most run.completions_log_size). */
  samples: CompletionLogEntry[];
  /** The step of the checkpoint read (the live step for the run in memory). */
  step: number;
  totalSteps: number;
  finished: boolean;
  /** Whether this is the run in the worker's memory (live) or one read from storage. */
  live: boolean;
  /** Newer checkpoints that were corrupt and passed over. */
  skipped: SkippedCheckpoint[];
  /** Set when history, evals and samples are only what came after `held` (see runHistory). */
  after?: HistoryHeld;
}

/** A registered environment as the app lists it. */
export interface EnvInfo {
  name: string;
  description: string;
  defaultMaxTurns: number;
  defaults: Record<string, unknown>;
}

/** What the main thread can ask of a trainer; the worker session and the client both implement it. */
export interface TrainerApi {
  /** Starts the tensor backend (WebGPU in the browser); idempotent. */
  init(backend?: BackendName): Promise<BackendInfo>;
  /** The Hub endpoint and token for later model loads (kept in the worker's memory only). */
  setHub(settings: HubSettings): Promise<void>;
  /** Downloads (with progress events) and loads a model and its tokenizer; a later start reuses it. */
  loadModel(model: RunConfig['model']): Promise<ModelInfo>;
  /**
   * Starts a new run with this (partial or full) config; resolves once it runs. With `adapter` (a PEFT
   * adapter's files) the run trains that adapter further; config.lora must describe its shape.
   */
  start(config: unknown, adapter?: PeftFiles | null): Promise<RunStatus>;
  /** Continues a saved run from its latest intact checkpoint (exactly as if never interrupted). */
  resumeRun(runId: string): Promise<RunStatus>;
  /** Finishes the current step, then waits with everything in memory. */
  pause(): Promise<RunStatus>;
  resume(): Promise<RunStatus>;
  /** Finishes the current step, saves a checkpoint and ends the run. */
  stop(): Promise<RunStatus>;
  status(): Promise<RunStatus>;
  /** Evaluates the current adapter on the held-out split now (between steps). */
  evaluate(): Promise<EvalResult>;
  /** Evaluates a model as it is, or with a PEFT adapter, on the held-out split of this config's data; no
   * training. Beside a paused run it needs the same model, and never changes the paused run. */
  evaluateModel(config: unknown, adapter: PeftFiles | null): Promise<EvalResult>;
  /**
   * Times a decode step and a training micro-step of this config's model (by default its config.json, or
   * `spec`) on this adapter, once per adapter and model shape (cached); engine/predict.ts turns it into the
   * predicted time of a step and of the run. Before a run or after one, not during. `cachedOnly`: null
   * instead of measuring when this adapter and shape were never measured.
   */
  probeSpeed(config: unknown, spec?: ModelSpec | null, o?: { cachedOnly?: boolean }): Promise<SpeedReport | null>;
  /** Saves a checkpoint now (between steps). */
  save(): Promise<CheckpointInfo>;
  listRuns(): Promise<RunRecord[]>;
  /**
   * A run's whole history: the live run's own, else from its newest intact checkpoint. With `held` (what
   * the caller has of the live run), only what came after it, marked `after`; the whole when that cannot be.
   */
  runHistory(runId: string, held?: HistoryHeld): Promise<RunHistory>;
  deleteRun(runId: string): Promise<void>;
  /** Exports of a run (default: the live one), from memory when it is live, else from its newest intact checkpoint. */
  exportAdapter(runId?: string): Promise<PeftFiles>;
  exportMetrics(format: 'jsonl' | 'csv', runId?: string): Promise<string>;
  exportCompletions(runId?: string): Promise<string>;
  /** The registered environments (names, descriptions, turn limits, default options) for the Data tab. */
  environments(): Promise<EnvInfo[]>;
  /** Subscribes to events; returns the unsubscribe function. */
  on(listener: (e: TrainerEvent) => void): () => void;
}

/** Methods that become commands: every TrainerApi method but `on`. */
export type CommandName = Exclude<keyof TrainerApi, 'on'>;

export type Command = {
  [K in CommandName]: { kind: K; id: number; args: Parameters<TrainerApi[K]> };
}[CommandName];

export type CommandResult<K extends CommandName> = Awaited<ReturnType<TrainerApi[K]>>;

export type TrainerEvent =
  | { kind: 'state'; status: RunStatus }
  | { kind: 'progress'; progress: Progress }
  | { kind: 'metrics'; metrics: StepMetrics }
  | { kind: 'samples'; step: number; entries: CompletionLogEntry[] }
  | { kind: 'eval'; result: EvalResult }
  | { kind: 'checkpoint'; info: CheckpointInfo }
  | { kind: 'alert'; alerts: HealthAlert[] }
  | { kind: 'error'; error: ErrorInfo }
  | { kind: 'log'; message: string };

export type Reply =
  { kind: 'reply'; id: number; ok: true; result: unknown } | { kind: 'reply'; id: number; ok: false; error: ErrorInfo };

/** Everything the worker posts. */
export type WorkerMessage = TrainerEvent | Reply;

export const COMMAND_NAMES: readonly CommandName[] = [
  'init',
  'setHub',
  'loadModel',
  'start',
  'resumeRun',
  'pause',
  'resume',
  'stop',
  'status',
  'evaluate',
  'evaluateModel',
  'probeSpeed',
  'save',
  'listRuns',
  'runHistory',
  'deleteRun',
  'exportAdapter',
  'exportMetrics',
  'exportCompletions',
  'environments',
];

export function toErrorInfo(e: unknown): ErrorInfo {
  if (e instanceof Error) {
    const problems = (e as { problems?: unknown }).problems;
    return { name: e.name, message: e.message, ...(Array.isArray(problems) ? { problems: problems.map(String) } : {}) };
  }
  return { name: 'Error', message: String(e) };
}

/** An error from the worker, rebuilt on the main thread with its original name. */
export class WorkerError extends Error {
  readonly problems?: string[];
  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = info.name;
    this.problems = info.problems;
  }
}
