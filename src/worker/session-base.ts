// What every session command stands on: the event listeners, the tensor backend (started once) and the Hub
// settings. TrainingSession (session.ts) adds the runs' state machine on top.
import { trackGpuMemory } from '../engine/gpu-memory.ts';
import type { BackendInfo, BackendName } from '../engine/backend.ts';
import { DeviceLostError, type SessionEnv } from './session-env.ts';
import type { HubSettings, TrainerEvent } from './protocol.ts';

export abstract class SessionBase {
  private listeners = new Set<(e: TrainerEvent) => void>();
  private backend: Promise<BackendInfo> | null = null;
  protected hub: HubSettings = {};

  constructor(protected readonly env: SessionEnv) {}

  /** Ends the run with this error (a lost device, for the base). */
  protected abstract fail(e: unknown): void;

  on(listener: (e: TrainerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  protected emit(e: TrainerEvent): void {
    for (const l of this.listeners) l(e);
  }

  /** Starts the backend once, however many callers ask at once (tfjs cannot start WebGPU twice side by side). */
  init(backend?: BackendName): Promise<BackendInfo> {
    this.backend ??= this.env.initBackend(backend).then(
      (info) => {
        trackGpuMemory(); // the peak of GPU buffers from here on, model load included
        this.env.watchDevice?.((message) => this.fail(new DeviceLostError(`the GPU device was lost (${message})`)));
        return info;
      },
      (e) => {
        this.backend = null;
        throw e;
      },
    );
    return this.backend;
  }

  async setHub(settings: HubSettings): Promise<void> {
    this.hub = { ...settings };
  }
}
