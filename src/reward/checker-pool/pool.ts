// A pool of checker workers for one language (OCaml, Python): each check runs in a worker (a Web Worker in
// the browser, a worker thread in Node) that is terminated when the check overstays its time limit
// (slot.ts), so an infinite loop, an allocation bomb or a flood of output ends as a "timeout"/"crashed"
// report and the next check gets a fresh worker. Up to `concurrency` checks run at once, each in its own
// worker; the others wait their turn (waiting is not part of a check's time limit).
import { CheckerSlot } from './slot.ts';
import type { CheckerHost, CheckerSpec } from './protocol.ts';

/** Workers a shared pool may hold: a GRPO group is scored at once, but each worker holds its own runtime. */
export function defaultConcurrency(max: number): number {
  const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency ? navigator.hardwareConcurrency : 2;
  return Math.max(1, Math.min(max, Math.floor(cores / 2)));
}

/** Node (tests, the CLI) or a browser page or worker. */
export function inNode(): boolean {
  return typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';
}

export class CheckerPool<I, J, E, R> {
  private readonly idle: CheckerSlot<I, J, E, R>[] = [];
  private readonly all: CheckerSlot<I, J, E, R>[] = [];
  private readonly waiting: ((slot: CheckerSlot<I, J, E, R>) => void)[] = [];
  private initial: Promise<I> | null = null;

  constructor(
    private readonly host: CheckerHost<I, J, E>,
    private readonly spec: CheckerSpec<J, E, R>,
    readonly concurrency = 1,
  ) {
    if (!(concurrency >= 1)) throw new RangeError(`${new.target.name} concurrency must be >= 1, got ${concurrency}`);
  }

  /** What workers start with, loaded once for all of them (a failed load is retried by the next check). */
  private init = (): Promise<I> => {
    this.initial ??= this.host.init().catch((e) => {
      this.initial = null;
      throw e;
    });
    return this.initial;
  };

  private acquire(): Promise<CheckerSlot<I, J, E, R>> {
    const slot = this.idle.pop();
    if (slot) return Promise.resolve(slot);
    if (this.all.length < this.concurrency) {
      const fresh = new CheckerSlot(this.host, this.spec, this.init);
      this.all.push(fresh);
      return Promise.resolve(fresh);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(slot: CheckerSlot<I, J, E, R>): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.idle.push(slot);
  }

  /** Starts one worker now, so that the first check does not wait for it. */
  async warm(): Promise<void> {
    const slot = await this.acquire();
    try {
      await slot.warm();
    } finally {
      this.release(slot);
    }
  }

  /** Runs one check; never rejects for the program's faults, only when a worker cannot start. */
  async check(job: J, timeLimitMs: number): Promise<R> {
    const slot = await this.acquire();
    try {
      return await slot.run(job, timeLimitMs);
    } finally {
      this.release(slot);
    }
  }

  dispose(): void {
    for (const slot of this.all) slot.dispose();
  }
}
