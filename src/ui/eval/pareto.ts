// Comparing runs: each run's latest evaluation accuracy per task (dataset), and which run Pareto-dominates
// which. A run dominates another when, on every task they were both evaluated on, it is at least as
// accurate, it took no longer, and it is strictly better on one of these; runs with no task in common are
// not comparable.
//
//   const pairs = dominance(summaries)   // [{ winner: 'run-a', loser: 'run-b' }]
//   const front = paretoFront(summaries) // ids no other run dominates

export interface TaskScore {
  accuracy: number;
  interval: [number, number];
  n: number;
  step: number;
}

export interface RunSummary {
  runId: string;
  label: string; // model id, or the imported adapter's file name
  tasks: Record<string, TaskScore>; // by dataset name: the latest evaluation
  baseline?: Record<string, TaskScore>; // the first evaluation of the run, by dataset
  seconds: number; // training wall time so far (0 for an imported adapter)
  updatedAt: number;
}

export interface Dominance {
  winner: string;
  loser: string;
  tasks: string[];
}

/** Whether a dominates b, and on which shared tasks; null when they share none or a does not dominate. */
export function dominates(a: RunSummary, b: RunSummary): string[] | null {
  const shared = Object.keys(a.tasks).filter((t) => t in b.tasks);
  if (!shared.length) return null;
  let strictly = a.seconds < b.seconds;
  if (a.seconds > b.seconds) return null;
  for (const t of shared) {
    if (a.tasks[t].accuracy < b.tasks[t].accuracy) return null;
    if (a.tasks[t].accuracy > b.tasks[t].accuracy) strictly = true;
  }
  return strictly ? shared : null;
}

export function dominance(runs: RunSummary[]): Dominance[] {
  const out: Dominance[] = [];
  for (const a of runs)
    for (const b of runs) {
      if (a === b) continue;
      const tasks = dominates(a, b);
      if (tasks) out.push({ winner: a.runId, loser: b.runId, tasks });
    }
  return out;
}

/** Ids of the runs that no other run dominates. */
export function paretoFront(runs: RunSummary[]): string[] {
  const losers = new Set(dominance(runs).map((d) => d.loser));
  return runs.filter((r) => !losers.has(r.runId)).map((r) => r.runId);
}
