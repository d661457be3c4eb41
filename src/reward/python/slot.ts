// One Python checker worker and the check it runs: starts the worker on demand (loading Pyodide, seconds),
// posts a check, collects its runs, and terminates the worker when the check overstays its time limit or
// the worker fails (a fresh one starts for the next check). The client (client.ts) pools these.
import type { PythonJob, PythonReply, PythonReport, PythonRequest, PythonRun } from './protocol.ts';

/** The little of a worker a slot uses; hosts adapt Web Workers and worker threads to it. */
export interface PythonPort {
  post(m: PythonRequest): void;
  listen(onMessage: (m: PythonReply) => void, onError: (e: Error) => void): void;
  terminate(): void;
}

export interface PythonHost {
  spawn(): PythonPort;
  /** Where Pyodide's files are (a URL in the browser, a folder in Node). */
  indexURL(): string;
}

export class PythonCheckerStartError extends Error {
  readonly name = 'PythonCheckerStartError';
}

/** Loading Pyodide takes seconds (tens on a loaded machine); it is not part of a check's time. */
const START_TIMEOUT_MS = 120_000;

interface Running {
  id: number;
  runs: PythonRun[];
  start(): void;
  finish(status: PythonReport['status'], reason?: string): void;
}

export class PythonSlot {
  private port: Promise<PythonPort> | null = null;
  private running: Running | null = null;
  private nextId = 0;

  constructor(private readonly host: PythonHost) {}

  warm(): Promise<void> {
    return this.ensure().then(() => undefined);
  }

  private ensure(): Promise<PythonPort> {
    this.port ??= this.start().catch((e) => {
      this.port = null;
      throw e;
    });
    return this.port;
  }

  private async start(): Promise<PythonPort> {
    const port = this.host.spawn();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        port.terminate();
        reject(new PythonCheckerStartError(`the Python checker did not start within ${START_TIMEOUT_MS / 1000} s`));
      }, START_TIMEOUT_MS);
      port.listen(
        (m) => {
          if (m.kind === 'ready') {
            clearTimeout(timer);
            resolve();
          } else this.onReply(m);
        },
        (e) => {
          clearTimeout(timer);
          reject(new PythonCheckerStartError(`the Python checker worker failed: ${e.message}`));
          this.running?.finish('crashed', `worker error: ${e.message}`);
        },
      );
      port.post({ kind: 'init', indexURL: this.host.indexURL() });
    });
    return port;
  }

  private onReply(m: PythonReply): void {
    const run = this.running;
    if (!run || m.kind === 'ready' || m.id !== run.id) return;
    if (m.kind === 'started') run.start();
    else if (m.kind === 'run') run.runs[m.index] = m.run;
    else if (m.kind === 'done') run.finish('ok');
    else run.finish('crashed', `${m.name}: ${m.message}`);
  }

  private kill(): void {
    const port = this.port;
    this.port = null;
    port?.then(
      (p) => p.terminate(),
      () => undefined,
    );
  }

  /** Runs one check; rejects only when the worker cannot start. The time limit counts from the worker's start of the check. */
  async run(job: PythonJob, timeLimitMs: number): Promise<PythonReport> {
    const port = await this.ensure();
    return new Promise<PythonReport>((resolve) => {
      let started = performance.now();
      let timer = setTimeout(
        () => run.finish('crashed', `the checker worker did not begin the check within ${START_TIMEOUT_MS / 1000} s`),
        START_TIMEOUT_MS,
      );
      const run: Running = {
        id: this.nextId++,
        runs: [],
        start: () => {
          started = performance.now();
          clearTimeout(timer);
          timer = setTimeout(
            () =>
              run.finish(
                'timeout',
                `the check did not finish within ${timeLimitMs} ms (an infinite loop, or code too slow for the time limit)`,
              ),
            timeLimitMs,
          );
        },
        finish: (status, reason) => {
          if (this.running !== run) return;
          clearTimeout(timer);
          this.running = null;
          // a worker that overstayed or failed may be stuck or broken: never reuse it
          if (status !== 'ok') this.kill();
          const runs = run.runs.filter(Boolean).slice(0, job.stdins.length);
          resolve({ status, runs, elapsedMs: performance.now() - started, ...(reason ? { reason } : {}) });
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
