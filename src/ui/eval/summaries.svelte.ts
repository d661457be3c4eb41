// The evaluations of every run this browser has seen, summarised per task (a dataset, or an environment)
// for the comparison across runs, and kept in localStorage so the comparison survives a reload (the
// checkpoints keep the full histories).
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

/**
 * What one evaluation adds to the comparison: its accuracy on the dataset, or, for an evaluation on
 * environments, each environment's success rate as a task of its own (`env:grid_world`), so runs compare
 * environment by environment.
 */
export function taskScores(task: string, r: EvalResult): Record<string, TaskScore> {
  if (r.environments?.per_env.length)
    return Object.fromEntries(
      r.environments.per_env.map((e) => [
        `env:${e.env}`,
        { accuracy: e.success_rate, interval: [e.interval[0], e.interval[1]], n: e.n, step: r.step },
      ]),
    );
  return { [task]: { accuracy: r.accuracy, interval: [r.interval[0], r.interval[1]], n: r.n, step: r.step } };
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
    let s = this.list.find((x) => x.runId === runId);
    if (!s) {
      s = { runId, label, tasks: {}, baseline: {}, seconds, updatedAt: Date.now() };
      this.list.push(s);
      s = this.list.at(-1)!;
    }
    s.baseline ??= {};
    for (const [name, score] of Object.entries(taskScores(task, r))) {
      if (!(name in s.baseline)) s.baseline[name] = score;
      s.tasks[name] = score;
    }
    s.seconds = seconds;
    s.updatedAt = Date.now();
    this.save();
  }

  remove(runId: string): void {
    this.list = this.list.filter((x) => x.runId !== runId);
    this.save();
  }
}
