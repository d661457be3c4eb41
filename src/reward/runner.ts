// Where rewards run. Both runners implement RewardRunner: WorkerRewardRunner (the app: a Web Worker per
// runner, terminated and restarted when a call overstays its time limit) and LocalRewardRunner (Node tests
// and the CLI: in this thread; a time limit there can abandon an async reward but cannot stop a
// synchronous loop, which is why the app uses the worker).
//
//   const runner = WorkerRewardRunner.create()
//   const result = await runner.call('math', sample, {}, 10_000)   // rejects RewardTimeoutError / RewardCallError
import { withDeadline } from '../engine/deadline.ts';
import { callReward } from './registry.ts';
import type { RewardReply, RewardRequest } from './protocol.ts';
import type { RewardResult, RewardSample } from './types.ts';

export interface RewardRunner {
  call(name: string, sample: RewardSample, options: Record<string, unknown>, timeoutMs: number): Promise<RewardResult>;
  dispose(): void;
}

export class RewardTimeoutError extends Error {
  readonly name = 'RewardTimeoutError';
  constructor(reward: string, ms: number) {
    super(`reward "${reward}" did not finish within ${ms} ms; raise its timeout_ms or make it faster`);
  }
}

/** A reward threw inside the worker; `cause` names the reward's own error class. */
export class RewardCallError extends Error {
  readonly name = 'RewardCallError';
  constructor(
    reward: string,
    readonly causeName: string,
    message: string,
  ) {
    super(`reward "${reward}" failed: ${causeName}: ${message}`);
  }
}

export class LocalRewardRunner implements RewardRunner {
  call(name: string, sample: RewardSample, options: Record<string, unknown>, timeoutMs: number): Promise<RewardResult> {
    return withDeadline(callReward(name, sample, options), timeoutMs, () => new RewardTimeoutError(name, timeoutMs));
  }

  dispose(): void {}
}

/** The little of a Worker the runner uses, so tests can hand it a fake. */
export interface WorkerLike {
  postMessage(m: RewardRequest): void;
  addEventListener(type: 'message', fn: (e: MessageEvent<RewardReply>) => void): void;
  terminate(): void;
}

interface Pending {
  req: RewardRequest;
  timeoutMs: number;
  resolve(r: RewardResult): void;
  reject(e: Error): void;
  timer?: ReturnType<typeof setTimeout>;
}

export class WorkerRewardRunner implements RewardRunner {
  private worker: WorkerLike | null = null;
  private pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(private readonly spawn: () => WorkerLike) {}

  static create(): WorkerRewardRunner {
    return new WorkerRewardRunner(
      () => new Worker(new URL('./reward.worker.ts', import.meta.url), { type: 'module' }) as unknown as WorkerLike,
    );
  }

  private ensure(): WorkerLike {
    if (!this.worker) {
      const w = this.spawn();
      w.addEventListener('message', (e) => this.settle(e.data));
      this.worker = w;
    }
    return this.worker;
  }

  private settle(m: RewardReply): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.kind === 'scored') p.resolve(m.result);
    else p.reject(new RewardCallError(p.req.name, m.error.name, m.error.message));
  }

  private send(p: Pending): void {
    p.timer = setTimeout(() => this.expire(p.req.id), p.timeoutMs);
    this.ensure().postMessage(p.req);
  }

  call(name: string, sample: RewardSample, options: Record<string, unknown>, timeoutMs: number): Promise<RewardResult> {
    const req: RewardRequest = { kind: 'score', id: this.nextId++, name, sample, options };
    return new Promise((resolve, reject) => {
      const p: Pending = { req, timeoutMs, resolve, reject };
      this.pending.set(req.id, p);
      this.send(p);
    });
  }

  /** A call overstayed: the worker may be stuck in a loop, so it is replaced and the other calls it held
   *  are sent again to the new one, with their time limits restarted. */
  private expire(id: number): void {
    const p = this.pending.get(id);
    if (!p) return;
    this.pending.delete(id);
    this.worker?.terminate();
    this.worker = null;
    p.reject(new RewardTimeoutError(p.req.name, p.timeoutMs));
    for (const o of this.pending.values()) {
      clearTimeout(o.timer);
      this.send(o);
    }
  }

  dispose(): void {
    this.worker?.terminate();
    this.worker = null;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new RewardCallError(p.req.name, 'Disposed', 'the reward runner was disposed'));
    }
    this.pending.clear();
  }
}
