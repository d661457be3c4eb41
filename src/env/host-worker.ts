// Environments in their own worker (the app): every reset and step is a message with a deadline; when
// one overstays (a slow environment, an endless loop, a worker that died), the worker is terminated, that
// call rejects with EnvTimeoutError (its episode ends as a failure) and a fresh worker takes over.
// The other episodes the old worker held are rebuilt in the new one by replaying them: reset with their
// seed, then their actions so far, in order. This is why the environment contract asks that the same seed
// and the same actions give the same episode.
//
//   const host = WorkerEnvHost.create(limits)          // the app's training worker
//   const env = host.create('grid_world', {}); await env.reset(7); await env.step('go north')
import { EnvTimeoutError, type EnvHost, type EnvLimits } from './host.ts';
import type { EnvReply, EnvRequest } from './host-protocol.ts';
import type { EnvStepResult, Environment } from './types.ts';

/** The little of a Worker the host uses (a Web Worker, or a Node worker thread adapted by the caller). */
export interface EnvWorkerLike {
  postMessage(m: EnvRequest): void;
  addEventListener(type: 'message', fn: (e: MessageEvent<EnvReply>) => void): void;
  terminate(): void;
}

/** How long a fresh worker may take to load its environments before the calls waiting on it fail. */
const WORKER_START_MS = 60_000;

interface Handle {
  id: number;
  env: string;
  options: Record<string, unknown>;
  seed: number | null; // set once reset was sent
  actions: string[]; // steps that answered, in order: what a replay sends again
  dead: boolean;
}

interface Pending {
  req: Exclude<EnvRequest, { kind: 'close' }>;
  handle: Handle;
  call: 'reset' | 'step';
  resolve(v: unknown): void;
  reject(e: Error): void;
  timer?: ReturnType<typeof setTimeout>;
}

export class WorkerEnvHost implements EnvHost {
  private worker: EnvWorkerLike | null = null;
  /** The current worker has said it is ready: deadlines run from then, not during its start. */
  private ready = false;
  private startTimer?: ReturnType<typeof setTimeout>;
  private pending = new Map<number, Pending>();
  private handles = new Map<number, Handle>();
  private nextId = 0;
  private nextHandle = 0;
  /** Workers terminated for overstaying (for tests and logs). */
  restarts = 0;

  constructor(
    private readonly spawn: () => EnvWorkerLike,
    private readonly limits: EnvLimits,
  ) {}

  static create(limits: EnvLimits): WorkerEnvHost {
    return new WorkerEnvHost(
      () => new Worker(new URL('./env.worker.ts', import.meta.url), { type: 'module' }) as unknown as EnvWorkerLike,
      limits,
    );
  }

  create(name: string, options: Record<string, unknown>): Environment {
    const h: Handle = { id: this.nextHandle++, env: name, options, seed: null, actions: [], dead: false };
    this.handles.set(h.id, h);
    return {
      reset: (seed) => {
        h.seed = seed;
        h.actions = [];
        return this.call(h, 'reset', { kind: 'open', id: this.nextId++, handle: h.id, ...this.openFields(h) });
      },
      step: async (action) => {
        const r = await this.call<EnvStepResult>(h, 'step', { kind: 'step', id: this.nextId++, handle: h.id, action });
        h.actions.push(action);
        return r;
      },
      close: () => {
        if (!this.handles.delete(h.id)) return;
        h.dead = true;
        this.worker?.postMessage({ kind: 'close', handle: h.id });
      },
    };
  }

  private openFields(h: Handle) {
    return { env: h.env, options: h.options, seed: h.seed!, maxObservationChars: this.limits.maxObservationChars };
  }

  private call<T>(h: Handle, call: 'reset' | 'step', req: Pending['req']): Promise<T> {
    if (h.dead) return Promise.reject(new Error(`environment ${h.env}: this episode's environment was stopped`));
    return new Promise<T>((resolve, reject) => {
      const p: Pending = { req, handle: h, call, resolve: resolve as (v: unknown) => void, reject };
      this.pending.set(req.id, p);
      this.send(p);
    });
  }

  private ensure(): EnvWorkerLike {
    if (!this.worker) {
      const w = this.spawn();
      w.addEventListener('message', (e) => (e.data.kind === 'ready' ? this.started(w) : this.settle(e.data)));
      this.worker = w;
      this.ready = false;
      this.startTimer = setTimeout(() => this.failStart(w), WORKER_START_MS);
      for (const h of this.handles.values()) this.replay(w, h);
    }
    return this.worker;
  }

  /** Rebuilds an episode in a fresh worker: its reset, then the steps that had answered. */
  private replay(w: EnvWorkerLike, h: Handle): void {
    if (h.dead || h.seed === null) return;
    w.postMessage({ kind: 'open', id: -1, handle: h.id, ...this.openFields(h) });
    for (const action of h.actions) w.postMessage({ kind: 'step', id: -1, handle: h.id, action });
  }

  private send(p: Pending): void {
    const w = this.ensure();
    if (this.ready) this.arm(p);
    w.postMessage(p.req);
  }

  private arm(p: Pending): void {
    p.timer = setTimeout(() => this.expire(p.req.id), this.limits.stepTimeoutMs);
  }

  private started(w: EnvWorkerLike): void {
    if (w !== this.worker || this.ready) return;
    this.ready = true;
    clearTimeout(this.startTimer);
    for (const p of this.pending.values()) this.arm(p);
  }

  /** The worker never said ready (its code failed to load): every waiting call fails, with why. */
  private failStart(w: EnvWorkerLike): void {
    if (w !== this.worker || this.ready) return;
    w.terminate();
    this.worker = null;
    for (const p of this.pending.values())
      p.reject(
        new Error(
          `environment ${p.handle.env}: the environment worker did not start within ${WORKER_START_MS / 1000} s`,
        ),
      );
    this.pending.clear();
  }

  private settle(m: EnvReply): void {
    if (m.kind === 'ready') return;
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.kind === 'failed') p.reject(Object.assign(new Error(m.error.message), { name: m.error.name }));
    else p.resolve(m.kind === 'opened' ? m.observation : m.result);
  }

  /** A call overstayed: its episode is stopped, the worker replaced, and the other calls sent again. */
  private expire(id: number): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    p.handle.dead = true;
    this.handles.delete(p.handle.id);
    clearTimeout(this.startTimer);
    this.worker?.terminate();
    this.worker = null;
    this.restarts += 1;
    p.reject(new EnvTimeoutError(p.handle.env, p.call, this.limits.stepTimeoutMs));
    const waiting = [...this.pending.values()];
    for (const o of waiting) clearTimeout(o.timer);
    this.ensure(); // replays every live episode, then the waiting calls follow in order
    for (const o of waiting) this.send(o);
  }

  dispose(): void {
    clearTimeout(this.startTimer);
    this.worker?.terminate();
    this.worker = null;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(`environment ${p.handle.env}: the environment host was disposed`));
    }
    this.pending.clear();
    this.handles.clear();
  }
}
