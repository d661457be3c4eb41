// What the worker's session needs from the world (SessionEnv: backend, models, a run's data and rewards,
// storage), and the shapes it gets them in. browserEnv (env.ts) builds it for the app's worker; Node tests
// and the CLI's demo-model maker build their own.
import type { RunConfig } from '../engine/config.ts';
import type { BackendInfo, BackendName } from '../engine/backend.ts';
import type { CausalLM } from '../engine/model/model.ts';
import { paramCount } from '../engine/model/spec.ts';
import type { Codec, Example, ExampleStream, Scorer } from '../engine/trainer.ts';
import type { BlobStore } from '../engine/checkpoint.ts';
import type { EnvRunDeps } from '../engine/env-rollout.ts';
import type { ModelSpec } from '../engine/model/spec.ts';
import type { SpeedProbe } from '../engine/predict.ts';
import { toErrorInfo, type ErrorInfo, type HubSettings, type ModelInfo, type Progress } from './protocol.ts';

/** Where speed probes (speed.ts) are kept between sessions. */
export interface SpeedCache {
  get(key: string): Promise<SpeedProbe | undefined>;
  set(key: string, probe: SpeedProbe): Promise<void>;
}

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
  /** Environment runs (config.environment.envs): the environments and the chat turns. */
  envs?: EnvRunDeps;
  /** Cumulative counters merged into each step's metrics (reward failures and time-outs). */
  counters?(): Record<string, number>;
  dispose?(): void;
}

export interface SessionEnv {
  initBackend(prefer?: BackendName): Promise<BackendInfo>;
  loadModel(model: RunConfig['model'], onProgress: (p: Progress) => void, hub: HubSettings): Promise<LoadedModel>;
  /** The run's data and rewards; Hub datasets come from the same endpoint, with the same token, as models. */
  prepareRun(config: RunConfig, model: LoadedModel, hub: HubSettings): Promise<RunInputs>;
  /** A model's architecture (its config.json) without loading its weights (none: only a loaded model's). */
  modelSpec?(model: RunConfig['model'], hub: HubSettings): Promise<ModelSpec>;
  /** Where speed probes are kept between sessions (none: measured each time). */
  speedCache?: SpeedCache;
  store: BlobStore;
  /** A second place for the newest checkpoint of a run still running (the Origin Private File System). */
  mirror?: BlobStore;
  /** Calls back once if the GPU device is lost (driver reset, out of memory), so the run stops with a message. */
  watchDevice?(onLost: (message: string) => void): void;
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

const DEVICE_LOSS = /device (was )?lost|out of memory|OOM/i;

export const isDeviceLoss = (e: unknown) => DEVICE_LOSS.test(toErrorInfo(e).message);

/** An error that ends a run, as the user reads it: a lost GPU says that the last checkpoint is intact. */
export function failureInfo(e: unknown): ErrorInfo {
  const error = toErrorInfo(e);
  if (DEVICE_LOSS.test(error.message))
    error.message = `${error.message}. The GPU stopped mid-step (device lost or out of memory); the last checkpoint is intact: reload the page and resume, with a smaller model, fewer generations or shorter completions.`;
  return error;
}
