// The main-thread side of the training worker: every TrainerApi method becomes a command message, and its
// promise settles with the worker's reply of the same id. Errors come back with their original class name
// (ConfigError, ModelTooLargeError, BusyError...) as WorkerError. The UI imports this, never the engine.
//
//   const trainer = TrainerClient.spawn()            // starts src/worker/train.worker.ts
//   const off = trainer.on((e) => ...); await trainer.start(config)
import {
  COMMAND_NAMES,
  WorkerError,
  type Command,
  type CommandName,
  type CommandResult,
  type TrainerApi,
  type TrainerEvent,
  type WorkerMessage,
} from './protocol.ts';

/** What the client needs of a Worker or a MessagePort. */
export interface Port {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (e: MessageEvent) => void): void;
  start?(): void;
  terminate?(): void;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

export interface TrainerClient extends TrainerApi {}

export class TrainerClient {
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private listeners = new Set<(e: TrainerEvent) => void>();

  constructor(private readonly port: Port) {
    port.addEventListener('message', (e) => this.receive(e.data as WorkerMessage));
    port.start?.();
    for (const name of COMMAND_NAMES) {
      (this as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => this.call(name, args as never);
    }
  }

  /** A client over a new module worker running train.worker.ts (browser only). */
  static spawn(): TrainerClient {
    return new TrainerClient(
      new Worker(new URL('./train.worker.ts', import.meta.url), { type: 'module' }) as unknown as Port,
    );
  }

  on(listener: (e: TrainerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  call<K extends CommandName>(kind: K, args: Parameters<TrainerApi[K]>): Promise<CommandResult<K>> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.port.postMessage({ kind, id, args } as Command);
    });
  }

  private receive(m: WorkerMessage): void {
    if (m.kind !== 'reply') {
      for (const l of this.listeners) l(m);
      return;
    }
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(new WorkerError(m.error));
  }

  /** Ends the worker (browser); pending calls are rejected. */
  terminate(): void {
    this.port.terminate?.();
    for (const p of this.pending.values())
      p.reject(new WorkerError({ name: 'WorkerTerminated', message: 'the training worker was terminated' }));
    this.pending.clear();
  }
}
