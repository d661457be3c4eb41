// The Python checker's client: runs each check in a worker (a Web Worker in the browser, a worker thread in
// Node) that is terminated when the check overstays its time limit (slot.ts), so an infinite loop or an
// allocation bomb ends as a "timeout"/"crashed" report and the next check gets a fresh worker. Up to
// `concurrency` checks run at once, each in its own worker (each holds a Pyodide, ~100 MB); the others wait.
//
//   const checker = await PythonChecker.shared();
//   const report = await checker.check({ code, stdins: ['1 2\n'], memoryMb: 256, outputLimit: 65536 }, 5000);
import { PythonSlot, type PythonHost } from './slot.ts';
import type { PythonJob, PythonReport } from './protocol.ts';

export { PythonCheckerStartError, type PythonHost, type PythonPort } from './slot.ts';

function defaultConcurrency(): number {
  const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency ? navigator.hardwareConcurrency : 2;
  return Math.max(1, Math.min(2, Math.floor(cores / 2)));
}

export class PythonChecker {
  private readonly idle: PythonSlot[] = [];
  private readonly all: PythonSlot[] = [];
  private readonly waiting: ((slot: PythonSlot) => void)[] = [];

  constructor(
    private readonly host: PythonHost,
    readonly concurrency = 1,
  ) {
    if (!(concurrency >= 1)) throw new RangeError(`PythonChecker concurrency must be >= 1, got ${concurrency}`);
  }

  private static instance: Promise<PythonChecker> | null = null;
  private static sharedOne: PythonChecker | null = null;

  /** One checker per thread, on the host that fits it (browser or Node). */
  static shared(): Promise<PythonChecker> {
    PythonChecker.instance ??= (async () => {
      const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';
      const host = isNode
        ? (await import('./node-host.ts')).nodeHost()
        : (await import('./browser-host.ts')).browserHost();
      return (PythonChecker.sharedOne = new PythonChecker(host, defaultConcurrency()));
    })();
    return PythonChecker.instance;
  }

  private acquire(): Promise<PythonSlot> {
    const slot = this.idle.pop();
    if (slot) return Promise.resolve(slot);
    if (this.all.length < this.concurrency) {
      const fresh = new PythonSlot(this.host);
      this.all.push(fresh);
      return Promise.resolve(fresh);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(slot: PythonSlot): void {
    const next = this.waiting.shift();
    if (next) next(slot);
    else this.idle.push(slot);
  }

  /** Starts one worker now, so that the first check does not wait for Pyodide. */
  async warm(): Promise<void> {
    const slot = await this.acquire();
    try {
      await slot.warm();
    } finally {
      this.release(slot);
    }
  }

  /** Runs a program on each stdin; never rejects for the program's faults, only when a worker cannot start. */
  async check(job: PythonJob, timeLimitMs: number): Promise<PythonReport> {
    const slot = await this.acquire();
    try {
      return await slot.run(job, timeLimitMs);
    } finally {
      this.release(slot);
    }
  }

  dispose(): void {
    for (const slot of this.all) slot.dispose();
    if (PythonChecker.sharedOne === this) {
      PythonChecker.instance = null;
      PythonChecker.sharedOne = null;
    }
  }
}
