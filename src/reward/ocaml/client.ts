// The OCaml checker's client: runs each check in a worker (a Web Worker in the browser, a worker thread in
// Node) that is terminated when the check overstays its time limit (slot.ts), so an infinite loop, an
// allocation bomb or a flood of output ends as a "timeout"/"crashed" report and the next check gets a
// fresh worker. Up to `concurrency` checks run at once, each in its own worker; the others wait their turn
// (waiting is not part of a check's time limit).
//
//   const checker = await OcamlChecker.shared();
//   const report = await checker.check({ code, tests, memoryMb: 256 }, 5000);
import { CheckerSlot, type CheckerHost } from './slot.ts';
import type { CheckJob, CheckReport, OcamlAssetBytes } from './protocol.ts';

export { CheckerStartError, type CheckerHost, type CheckerPort } from './slot.ts';

/** Workers of the shared checker: a GRPO group is scored at once, but each worker holds ~10 MB plus its program. */
function defaultConcurrency(): number {
  const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency ? navigator.hardwareConcurrency : 2;
  return Math.max(1, Math.min(4, Math.floor(cores / 2)));
}

export class OcamlChecker {
  private readonly idle: CheckerSlot[] = [];
  private readonly all: CheckerSlot[] = [];
  private readonly waiting: ((slot: CheckerSlot) => void)[] = [];
  private assets: Promise<OcamlAssetBytes> | null = null;

  constructor(
    private readonly host: CheckerHost,
    readonly concurrency = 1,
  ) {
    if (!(concurrency >= 1)) throw new RangeError(`OcamlChecker concurrency must be >= 1, got ${concurrency}`);
  }

  private static instance: Promise<OcamlChecker> | null = null;
  private static sharedOne: OcamlChecker | null = null;

  /** One checker per thread, on the host that fits it (browser or Node). */
  static shared(): Promise<OcamlChecker> {
    OcamlChecker.instance ??= (async () => {
      const isNode = typeof process !== 'undefined' && !!process.versions?.node && typeof window === 'undefined';
      const host = isNode
        ? (await import('./node-host.ts')).nodeHost()
        : (await import('./browser-host.ts')).browserHost();
      return (OcamlChecker.sharedOne = new OcamlChecker(host, defaultConcurrency()));
    })();
    return OcamlChecker.instance;
  }

  /** The artefacts, loaded once for all workers (a failed load is retried by the next check). */
  private loadAssets = (): Promise<OcamlAssetBytes> => {
    this.assets ??= this.host.loadAssets().catch((e) => {
      this.assets = null;
      throw e;
    });
    return this.assets;
  };

  private acquire(): Promise<CheckerSlot> {
    const slot = this.idle.pop();
    if (slot) return Promise.resolve(slot);
    if (this.all.length < this.concurrency) {
      const fresh = new CheckerSlot(this.host, this.loadAssets);
      this.all.push(fresh);
      return Promise.resolve(fresh);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(slot: CheckerSlot): void {
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

  /** Checks one program; never rejects for the program's faults, only when a worker cannot start. */
  async check(job: CheckJob, timeLimitMs: number): Promise<CheckReport> {
    const slot = await this.acquire();
    try {
      return await slot.run(job, timeLimitMs);
    } finally {
      this.release(slot);
    }
  }

  dispose(): void {
    for (const slot of this.all) slot.dispose();
    if (OcamlChecker.sharedOne === this) {
      OcamlChecker.instance = null;
      OcamlChecker.sharedOne = null;
    }
  }
}
