// The run history a page holds, fetched in pieces: after the first whole answer of runHistory, each later
// one asks only for what came after what is held (`held`), and the answer is joined to it. So a step costs
// the new step's metrics, not the whole run's, to cross the worker boundary. Types only from the engine:
// the UI imports this.
//
//   const next = await trainer.runHistory(id, heldOf(view)); view = joinHistory(view, next)
import type { HistoryHeld, RunHistory } from './protocol.ts';

/** What `view` holds of the live run, to ask for the rest; undefined when it is not a live run's history. */
export function heldOf(view: RunHistory | null, runId: string): HistoryHeld | undefined {
  if (!view?.live || view.runId !== runId) return undefined;
  return { steps: view.history.length, evals: view.evals.length, sampleStep: view.samples.at(-1)?.step ?? -1 };
}

/** `next` (an answer to runHistory with `held`) joined to `prev`, the history it was asked after; a new object. */
export function joinHistory(prev: RunHistory | null, next: RunHistory): RunHistory {
  const after = next.after;
  if (!after) return next;
  if (!prev || prev.runId !== next.runId) throw new Error(`history of run ${next.runId} joined to another run's`);
  return {
    ...next,
    history: [...prev.history.slice(0, after.steps), ...next.history],
    evals: [...prev.evals.slice(0, after.evals), ...next.evals],
    samples: [...prev.samples.filter((c) => c.step <= after.sampleStep), ...next.samples].slice(
      -next.config.run.completions_log_size,
    ),
    after: undefined,
  };
}
