// One checker worker and the check it runs: starts the worker on demand, posts a check, folds its
// progress into a report, and terminates the worker when the check overstays its time limit or the
// worker fails (a fresh one starts for the next check). client.ts pools several of these.
import {
  reportFrom,
  type CheckEvent,
  type CheckJob,
  type CheckReport,
  type CheckerReply,
  type CheckerRequest,
  type OcamlAssetBytes,
} from './protocol.ts';

/** The little of a worker a slot uses; hosts adapt Web Workers and worker threads to it. */
export interface CheckerPort {
  post(m: CheckerRequest): void;
  listen(onMessage: (m: CheckerReply) => void, onError: (e: Error) => void): void;
  terminate(): void;
}

export interface CheckerHost {
  spawn(): CheckerPort;
  loadAssets(): Promise<OcamlAssetBytes>;
}

export class CheckerStartError extends Error {
  readonly name = 'CheckerStartError';
}

/** A worker starts (compiles the runtime, builds its file system) within this; it is not part of a check's time. */
const START_TIMEOUT_MS = 60_000;

interface Running {
  id: number;
  events: CheckEvent[];
  /** Called when the worker begins the check. */
  start(): void;
  finish(status: 'ok' | 'timeout' | 'crashed', reason?: string): void;
}

export class CheckerSlot {
  private port: Promise<CheckerPort> | null = null;
  private running: Running | null = null;
  private nextId = 0;

  constructor(
    private readonly host: CheckerHost,
    private readonly assets: () => Promise<OcamlAssetBytes>,
  ) {}

  warm(): Promise<void> {
    return this.ensure().then(() => undefined);
  }

  private ensure(): Promise<CheckerPort> {
    this.port ??= this.start().catch((e) => {
      this.port = null;
      throw e;
    });
    return this.port;
  }

  private async start(): Promise<CheckerPort> {
    const assets = await this.assets();
    const port = this.host.spawn();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(new CheckerStartError(`the OCaml checker worker did not start within ${START_TIMEOUT_MS / 1000} s`)),
        START_TIMEOUT_MS,
      );
      port.listen(
        (m) => {
          if (m.kind === 'ready') {
            clearTimeout(timer);
            resolve();
          } else this.onReply(m);
        },
        (e) => {
          clearTimeout(timer);
          reject(new CheckerStartError(`the OCaml checker worker failed: ${e.message}`));
          this.running?.finish('crashed', `worker error: ${e.message}`);
        },
      );
      port.post({ kind: 'init', assets });
    });
    return port;
  }

  private onReply(m: CheckerReply): void {
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
   * the check's own: it counts from the moment the worker begins the check (starting a worker, loading the
   * artefacts and waiting for a free worker are not part of it), and the worker is ended when it runs out.
   */
  async run(job: CheckJob, timeLimitMs: number): Promise<CheckReport> {
    const port = await this.ensure();
    return new Promise<CheckReport>((resolve) => {
      let started = performance.now();
      // until the worker says it has begun, a stuck worker is caught by the start timeout
      let timer = setTimeout(
        () => run.finish('crashed', `the checker worker did not begin the check within ${START_TIMEOUT_MS / 1000} s`),
        START_TIMEOUT_MS,
      );
      const run: Running = {
        id: this.nextId++,
        events: [],
        start: () => {
          started = performance.now();
          clearTimeout(timer);
          timer = setTimeout(() => {
            run.finish(
              'timeout',
              `the check did not finish within ${timeLimitMs} ms (an infinite loop, or code too slow for the time limit)`,
            );
          }, timeLimitMs);
        },
        finish: (status, reason) => {
          if (this.running !== run) return;
          clearTimeout(timer);
          this.running = null;
          // a worker that overstayed or crashed may be stuck or broken: never reuse it
          if (status !== 'ok') this.kill();
          resolve(reportFrom(run.events, job.tests.length, status, performance.now() - started, reason));
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
