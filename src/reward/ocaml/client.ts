// The OCaml checker's client: a checker pool (../checker-pool/pool.ts) whose workers compile and test
// programs; a check that overstays its time limit ends its worker (an infinite loop, an allocation bomb or
// a flood of output ends as a "timeout"/"crashed" report) and the next check gets a fresh one.
//
//   const checker = await OcamlChecker.shared();
//   const report = await checker.check({ code, tests, memoryMb: 256 }, 5000);
import { CheckerPool, defaultConcurrency, inNode } from '../checker-pool/pool.ts';
import type { CheckerSpec } from '../checker-pool/protocol.ts';
import {
  reportFrom,
  type CheckEvent,
  type CheckJob,
  type CheckReport,
  type OcamlAssetBytes,
  type OcamlHost,
} from './protocol.ts';

export { CheckerStartError } from '../checker-pool/slot.ts';
export type { OcamlHost } from './protocol.ts';

const OCAML: CheckerSpec<CheckJob, CheckEvent, CheckReport> = {
  label: 'OCaml',
  // compiling the runtime and building the worker's file system
  startTimeoutMs: 60_000,
  report: (events, job, status, elapsedMs, reason) => reportFrom(events, job.tests.length, status, elapsedMs, reason),
};

export class OcamlChecker extends CheckerPool<OcamlAssetBytes, CheckJob, CheckEvent, CheckReport> {
  constructor(host: OcamlHost, concurrency = 1) {
    super(host, OCAML, concurrency);
  }

  private static instance: Promise<OcamlChecker> | null = null;
  private static sharedOne: OcamlChecker | null = null;

  /** One checker per thread, on the host that fits it (browser or Node); each worker holds ~10 MB. */
  static shared(): Promise<OcamlChecker> {
    OcamlChecker.instance ??= (async () => {
      const host = inNode()
        ? (await import('./node-host.ts')).nodeHost()
        : (await import('./browser-host.ts')).browserHost();
      return (OcamlChecker.sharedOne = new OcamlChecker(host, defaultConcurrency(4)));
    })();
    return OcamlChecker.instance;
  }

  dispose(): void {
    super.dispose();
    if (OcamlChecker.sharedOne === this) {
      OcamlChecker.instance = null;
      OcamlChecker.sharedOne = null;
    }
  }
}
