// Lab functions for the Python rewards: grade with the checker in this page's Web Worker (Pyodide fetched
// from the app's own <base>/pyodide/), and report which origins the page fetched from meanwhile.
import { PythonChecker } from '../../reward/python/client.ts';
import { gradeDeduction, parseDeductionOptions, pythonTestsOf } from '../../reward/python/reward.ts';
import type { RewardResult } from '../../reward/types.ts';
import type { ProbeOutcome } from '../lockdown-probe.ts';

/** Grades a python_deduction completion against `problem.tests`; also says how long the grading took. */
export async function pythonDeductionCheck(
  problem: Record<string, unknown>,
  completion: string,
  options: Record<string, unknown> = {},
): Promise<RewardResult & { ms: number }> {
  const o = parseDeductionOptions(options);
  const c = await PythonChecker.shared();
  await c.warm();
  const t = performance.now();
  const r = await gradeDeduction(completion, pythonTestsOf(problem, o.tests_field), o, c);
  return { ...r, ms: performance.now() - t };
}

/** Runs the lock-down probe (lockdown-probe.ts) in a fresh module Web Worker of this page. */
export function pythonLockdownProbe(): Promise<ProbeOutcome[]> {
  const w = new Worker(new URL('../lockdown-probe.worker.ts', import.meta.url), { type: 'module' });
  return new Promise<ProbeOutcome[]>((resolve, reject) => {
    w.onmessage = (e: MessageEvent<ProbeOutcome[]>) => resolve(e.data);
    w.onerror = (e) => reject(new Error(e.message || 'the probe worker failed'));
  }).finally(() => w.terminate());
}
