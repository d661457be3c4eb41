// Where a `webgrpo train` run's time goes: the worker reports the stage it is in (download, prepare, eval,
// sample, score, train, save); each change of stage is printed with the time since the command started, and
// the seconds spent in each stage are summed for summary.json's `phase_seconds`.
//
//   const clock = new PhaseClock(Date.now());
//   const line = clock.enter('sample', Date.now());   // "[12.3s] sample (start 8.1s)", or null within a stage
import type { Progress } from '../worker/protocol.ts';

/** Besides the worker's stages: the browser and page (start), the speed probe, and the outputs (finish). */
export type Phase = Progress['stage'] | 'start' | 'probe' | 'finish';

export class PhaseClock {
  private current: Phase = 'start';
  private since: number;
  private readonly totals = new Map<Phase, number>();

  constructor(private readonly started: number) {
    this.since = started;
  }

  /** Moves to `phase` at time `now` (ms); the line to print when it is a change, else null. */
  enter(phase: Phase, now: number): string | null {
    if (phase === this.current) return null;
    const spent = now - this.since;
    this.totals.set(this.current, (this.totals.get(this.current) ?? 0) + spent);
    const line = `[${secs(now - this.started)}s] ${phase} (${this.current} took ${secs(spent)}s)`;
    this.current = phase;
    this.since = now;
    return line;
  }

  /** Seconds spent in each phase so far (the current one up to `now`), in the order first entered. */
  seconds(now: number): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [p, ms] of this.totals) out[p] = round(ms / 1000);
    out[this.current] = round(((this.totals.get(this.current) ?? 0) + now - this.since) / 1000);
    return out;
  }
}

const secs = (ms: number) => (ms / 1000).toFixed(1);
const round = (s: number) => Math.round(s * 10) / 10;
