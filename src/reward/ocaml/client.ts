// The OCaml checker's client: runs each check in a worker (a Web Worker in the browser, a worker thread in
// Node) and terminates that worker when a check overstays its time limit, so an infinite loop, an
// allocation bomb or a flood of output ends as a "timeout"/"crashed" report and the next check gets a
// fresh worker. Checks run one at a time per checker.
//
//   const checker = await OcamlChecker.shared();
//   const report = await checker.check({ code, tests, memoryMb: 512 }, 5000);
import { reportFrom, type CheckEvent, type CheckJob, type CheckReport, type CheckerReply, type CheckerRequest, type OcamlAssetBytes } from './protocol.ts';

/** The little of a worker the client uses; hosts adapt Web Workers and worker threads to it. */
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
  tests: number;
  started: number;
  finish(status: 'ok' | 'timeout' | 'crashed', reason?: string): void;
}

export class OcamlChecker {
  private port: Promise<CheckerPort> | null = null;
  private assets: Promise<OcamlAssetBytes> | null = null;
  private running: Running | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private nextId = 0;

  constructor(private readonly host: CheckerHost) {}

  private static instance: Promise<OcamlChecker> | null = null;

  /** One checker per thread, on the host that fits it (browser or Node). */
  static shared(): Promise<OcamlChecker> {
    OcamlChecker.instance ??= (async () => {
      const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';
      const host = isNode ? (await import('./node-host.ts')).nodeHost() : (await import('./browser-host.ts')).browserHost();
      return new OcamlChecker(host);
    })();
    return OcamlChecker.instance;
  }

  /** Starts a worker now (loading the assets once), so that the first check does not wait for it. */
  warm(): Promise<void> {
    return this.ensure().then(() => undefined);
  }

  private ensure(): Promise<CheckerPort> {
    this.port ??= this.start().catch((e) => { this.port = null; throw e; });
    return this.port;
  }

  private async start(): Promise<CheckerPort> {
    this.assets ??= this.host.loadAssets().catch((e) => { this.assets = null; throw e; });
    const assets = await this.assets;
    const port = this.host.spawn();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new CheckerStartError(`the OCaml checker worker did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      port.listen((m) => {
        if (m.kind === 'ready') { clearTimeout(timer); resolve(); }
        else this.onReply(m);
      }, (e) => {
        clearTimeout(timer);
        reject(new CheckerStartError(`the OCaml checker worker failed: ${e.message}`));
        this.running?.finish('crashed', `worker error: ${e.message}`);
      });
      port.post({ kind: 'init', assets });
    });
    return port;
  }

  private onReply(m: CheckerReply): void {
    const run = this.running;
    if (!run || m.kind === 'ready' || m.id !== run.id) return;
    if (m.kind === 'progress') run.events.push(m.event);
    else if (m.kind === 'done') run.finish('ok');
    else run.finish('crashed', `${m.name}: ${m.message}`);
  }

  /** Ends the worker (a timed-out check, or dispose); the next check starts another. */
  private kill(): void {
    const port = this.port;
    this.port = null;
    port?.then((p) => p.terminate(), () => undefined);
  }

  /** Checks one program; never rejects for the program's faults, only when the checker cannot start. */
  check(job: CheckJob, timeLimitMs: number): Promise<CheckReport> {
    const next = this.queue.then(() => this.runCheck(job, timeLimitMs));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runCheck(job: CheckJob, timeLimitMs: number): Promise<CheckReport> {
    const port = await this.ensure();
    return new Promise<CheckReport>((resolve) => {
      const id = this.nextId++;
      const started = performance.now();
      const timer = setTimeout(() => {
        run.finish('timeout', `the check did not finish within ${timeLimitMs} ms (an infinite loop, or code too slow for the time limit)`);
      }, timeLimitMs);
      const run: Running = {
        id, events: [], tests: job.tests.length, started,
        finish: (status, reason) => {
          if (this.running !== run) return;
          clearTimeout(timer);
          this.running = null;
          // a worker that overstayed or crashed may be stuck or broken: never reuse it
          if (status !== 'ok') this.kill();
          resolve(reportFrom(run.events, run.tests, status, performance.now() - started, reason));
        },
      };
      this.running = run;
      port.post({ kind: 'check', id, job });
    });
  }

  dispose(): void {
    this.running?.finish('crashed', 'the checker was disposed');
    this.kill();
    if (OcamlChecker.instance) OcamlChecker.instance = null;
  }
}
