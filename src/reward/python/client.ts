// The Python checker's client: a checker pool (../checker-pool/pool.ts) whose workers each hold a Pyodide
// (~100 MB); a check that overstays its time limit ends its worker (an infinite loop or an allocation bomb
// ends as a "timeout"/"crashed" report) and the next check gets a fresh one.
//
//   const checker = await PythonChecker.shared();
//   const report = await checker.check({ code, stdins: ['1 2\n'], memoryMb: 256, outputLimit: 65536 }, 5000);
import { CheckerPool, defaultConcurrency, inNode } from '../checker-pool/pool.ts';
import type { CheckerSpec } from '../checker-pool/protocol.ts';
import type { PythonHost, PythonInit, PythonJob, PythonReport, PythonRun, PythonRunEvent } from './protocol.ts';

export { CheckerStartError, CheckerStartError as PythonCheckerStartError } from '../checker-pool/slot.ts';
export type { PythonHost } from './protocol.ts';

const PYTHON: CheckerSpec<PythonJob, PythonRunEvent, PythonReport> = {
  label: 'Python',
  // loading Pyodide takes seconds (tens on a loaded machine)
  startTimeoutMs: 120_000,
  report(events, job, status, elapsedMs, reason) {
    const byIndex: PythonRun[] = [];
    for (const e of events) byIndex[e.index] = e.run;
    // the runs that finished, in order (a check cut off at its time limit has fewer than its stdins)
    const runs = byIndex.filter(Boolean).slice(0, job.stdins.length);
    return { status, runs, elapsedMs, ...(reason ? { reason } : {}) };
  },
};

export class PythonChecker extends CheckerPool<PythonInit, PythonJob, PythonRunEvent, PythonReport> {
  constructor(host: PythonHost, concurrency = 1) {
    super(host, PYTHON, concurrency);
  }

  private static instance: Promise<PythonChecker> | null = null;
  private static sharedOne: PythonChecker | null = null;

  /** One checker per thread, on the host that fits it (browser or Node). */
  static shared(): Promise<PythonChecker> {
    PythonChecker.instance ??= (async () => {
      const host = inNode()
        ? (await import('./node-host.ts')).nodeHost()
        : (await import('./browser-host.ts')).browserHost();
      return (PythonChecker.sharedOne = new PythonChecker(host, defaultConcurrency(2)));
    })();
    return PythonChecker.instance;
  }

  dispose(): void {
    super.dispose();
    if (PythonChecker.sharedOne === this) {
      PythonChecker.instance = null;
      PythonChecker.sharedOne = null;
    }
  }
}
