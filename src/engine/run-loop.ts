// The run around the steps: an eval at the start (baseline), every eval_steps and at the end; a checkpoint
// every save_steps and at the end; the caller's hooks between steps (pause, stop, progress posts).
//
//   await runTraining(t, { shouldContinue: () => !paused, onStep: (r) => post(r.metrics) })
import type { EvalResult } from './evaluate.ts';
import type { StepResult, Trainer } from './trainer.ts';

export interface RunHooks {
  /** Asked before each step; false ends the loop with the state kept (pause, stop). */
  shouldContinue(): boolean;
  onStep?(r: StepResult): void | Promise<void>;
  onEval?(r: EvalResult): void | Promise<void>;
  /** Saves a checkpoint: every save_steps and at the end. */
  save?(): Promise<void>;
}

/** Runs steps until the run completes ('done') or shouldContinue says no ('interrupted'). */
export async function runTraining(t: Trainer, hooks: RunHooks): Promise<'done' | 'interrupted'> {
  // results are computed before the optional hooks are called: `hook?.(expr)` skips expr when hook is absent
  const evaluate = async () => {
    const r = await t.evaluate();
    await hooks.onEval?.(r);
  };
  if (t.step === 0 && t.evals.length === 0 && t.evaluates) await evaluate(); // baseline
  while (!t.done) {
    if (!hooks.shouldContinue()) return 'interrupted';
    const r = await t.trainStep();
    await hooks.onStep?.(r);
    if (t.evalDue()) await evaluate();
    if (t.saveDue()) await hooks.save?.();
  }
  return 'done';
}
