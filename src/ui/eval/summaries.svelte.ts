// The evaluations of every run this browser has seen, summarised per task for the comparison across runs,
// and kept in localStorage so the comparison survives a reload (the checkpoints keep the full histories).
//
//   store.record(runId, 'demo', 'demo-arithmetic', evalResult, seconds); store.list
import type { EvalResult } from '../../worker/protocol.ts';
import type { RunSummary, TaskScore } from './pareto.ts';

const KEY = 'webgrpo-run-summaries-v1';
const MAX_RUNS = 50;

function readStored(): RunSummary[] {
  try {
    const v = JSON.parse(globalThis.localStorage?.getItem(KEY) ?? '[]');
    return Array.isArray(v) ? v.filter((r) => r && typeof r.runId === 'string' && typeof r.tasks === 'object') : [];
  } catch {
    return []; // unreadable storage: start the comparison afresh rather than fail the page
  }
}

export class SummaryStore {
  list = $state<RunSummary[]>(readStored());

  private save(): void {
    try {
      globalThis.localStorage?.setItem(KEY, JSON.stringify(this.list.slice(-MAX_RUNS)));
    } catch {
      /* quota or private mode: the comparison lasts for this page only */
    }
  }

  record(runId: string, label: string, task: string, r: EvalResult, seconds: number): void {
    const score: TaskScore = { accuracy: r.accuracy, interval: [r.interval[0], r.interval[1]], n: r.n, step: r.step };
    let s = this.list.find((x) => x.runId === runId);
    if (!s) {
      s = { runId, label, tasks: {}, baseline: {}, seconds, updatedAt: Date.now() };
      this.list.push(s);
      s = this.list.at(-1)!;
    }
    s.baseline ??= {};
    if (!(task in s.baseline)) s.baseline[task] = score;
    s.tasks[task] = score;
    s.seconds = seconds;
    s.updatedAt = Date.now();
    this.save();
  }

  remove(runId: string): void {
    this.list = this.list.filter((x) => x.runId !== runId);
    this.save();
  }
}
