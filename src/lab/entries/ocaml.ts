// Lab functions for the OCaml reward: grade a completion with the checker in this page's Web Worker (the
// compiler and stdlib fetched from the app's public/ocaml/), and measure that the page stays responsive
// while a check runs (or loops until its time limit).
import { OcamlChecker } from '../../reward/ocaml/client.ts';
import { gradeOcaml, parseOcamlOptions, testsOf } from '../../reward/ocaml/reward.ts';
import type { RewardResult } from '../../reward/types.ts';
import { WorkerRewardRunner } from '../../reward/runner.ts';

// the page's shared checker: the same one the app's rewards use in this thread
const getChecker = () => OcamlChecker.shared();

/** Grades `completion` against `problem.tests`; also reports how long the grading took. */
export async function ocamlCheck(
  problem: Record<string, unknown>,
  completion: string,
  options: Record<string, unknown> = {},
): Promise<RewardResult & { ms: number }> {
  const o = parseOcamlOptions(options);
  const c = await getChecker();
  await c.warm();
  const t = performance.now();
  const r = await gradeOcaml(completion, testsOf(problem, o.tests_field), o, 'stop', c);
  return { ...r, ms: performance.now() - t };
}

/** Grades while a 10 ms timer ticks on the page; a blocked page would show a long gap between ticks. */
export async function ocamlCheckResponsive(
  problem: Record<string, unknown>,
  completion: string,
  options: Record<string, unknown> = {},
): Promise<{ result: RewardResult & { ms: number }; ticks: number; maxGapMs: number }> {
  await (await getChecker()).warm();
  let ticks = 0,
    maxGapMs = 0,
    last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
    ticks++;
  }, 10);
  try {
    const result = await ocamlCheck(problem, completion, options);
    return { result, ticks, maxGapMs };
  } finally {
    clearInterval(timer);
  }
}

/** Grades through the app's reward worker (reward `ocaml` by name): the checker is then a worker's worker. */
export async function ocamlRewardInWorker(
  problem: Record<string, unknown>,
  completion: string,
  options: Record<string, unknown> = {},
): Promise<RewardResult> {
  const runner = WorkerRewardRunner.create();
  try {
    return await runner.call(
      'ocaml',
      { prompt: String(problem.prompt ?? ''), completion, completionIds: [1], row: problem, finishReason: 'stop' },
      options,
      60_000,
    );
  } finally {
    runner.dispose();
  }
}
