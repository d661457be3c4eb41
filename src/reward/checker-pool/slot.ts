// One checker worker and the check it runs: starts the worker on demand, posts a check, collects its events,
// and terminates the worker when the check overstays its time limit or the worker fails (a fresh one starts
// for the next check). pool.ts pools several of these.
import type { CheckerHost, CheckerSpec, PoolCheckStatus, PoolReply, WorkerPort } from './protocol.ts';

export class CheckerStartError extends Error {
  readonly name = 'CheckerStartError';
}

interface Running<E> {
  id: number;
  events: E[];
  /** Called when the worker begins the check. */
  start(): void;
  finish(status: PoolCheckStatus, reason?: string): void;
}

export class CheckerSlot<I, J, E, R> {
  private port: Promise<WorkerPort<I, J, E>> | null = null;
  private running: Running<E> | null = null;
  private nextId = 0;

  constructor(
    private readonly host: CheckerHost<I, J, E>,
    private readonly spec: CheckerSpec<J, E, R>,
    private readonly init: () => Promise<I>,
  ) {}

  warm(): Promise<void> {
    return this.ensure().then(() => undefined);
  }

  private ensure(): Promise<WorkerPort<I, J, E>> {
    this.port ??= this.start().catch((e) => {
      this.port = null;
      throw e;
    });
    return this.port;
  }

  private async start(): Promise<WorkerPort<I, J, E>> {
    const init = await this.init();
    const port = this.host.spawn();
    const { label, startTimeoutMs } = this.spec;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        port.terminate();
        reject(new CheckerStartError(`the ${label} checker worker did not start within ${startTimeoutMs / 1000} s`));
      }, startTimeoutMs);
      port.listen(
        (m) => {
          if (m.kind === 'ready') {
            clearTimeout(timer);
            resolve();
          } else this.onReply(m);
        },
        (e) => {
          clearTimeout(timer);
          reject(new CheckerStartError(`the ${label} checker worker failed: ${e.message}`));
          this.running?.finish('crashed', `worker error: ${e.message}`);
        },
      );
      port.post({ kind: 'init', init });
    });
    return port;
  }

  private onReply(m: PoolReply<E>): void {
    const run = this.running;
    if (!run || m.kind === 'ready' || m.id !== run.id) return;
    if (m.kind === 'started') run.start();
    else if (m.kind === 'progress') run.events.push(m.event);
    else if (m.kind === 'done') run.finish('ok');
    else run.finish('crashed', `${m.name}: ${m.message}`);
  }

  /** Ends the worker; the next check starts another. */
  private kill(): void {
    const port = this.port;
    this.port = null;
    port?.then(
      (p) => p.terminate(),
      () => undefined,
    );
  }

  /**
   * Runs one check; the slot must be idle. Rejects only when the worker cannot start. The time limit is
   * the check's own: it counts from the moment the worker begins the check (starting a worker, loading its
   * runtime and waiting for a free worker are not part of it), and the worker is ended when it runs out.
   */
  async run(job: J, timeLimitMs: number): Promise<R> {
    const port = await this.ensure();
    const { startTimeoutMs } = this.spec;
    return new Promise<R>((resolve) => {
      let started = performance.now();
      // until the worker says it has begun, a stuck worker is caught by the start timeout
      let timer = setTimeout(
        () => run.finish('crashed', `the checker worker did not begin the check within ${startTimeoutMs / 1000} s`),
        startTimeoutMs,
      );
      const run: Running<E> = {
        id: this.nextId++,
        events: [],
        start: () => {
          started = performance.now();
          clearTimeout(timer);
          timer = setTimeout(() => {
            const why = `the check did not finish within ${timeLimitMs} ms (an infinite loop, or code too slow for the time limit)`;
            run.finish('timeout', why);
          }, timeLimitMs);
        },
        finish: (status, reason) => {
          if (this.running !== run) return;
          clearTimeout(timer);
          this.running = null;
          // a worker that overstayed or crashed may be stuck or broken: never reuse it
          if (status !== 'ok') this.kill();
          resolve(this.spec.report(run.events, job, status, performance.now() - started, reason));
        },
      };
      this.running = run;
      port.post({ kind: 'check', id: run.id, job });
    });
  }

  dispose(): void {
    this.running?.finish('crashed', 'the checker was disposed');
    this.kill();
  }
}
