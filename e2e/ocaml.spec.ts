// The OCaml checker in Chromium: the WASM runtime and compiler load from the app's public/ocaml/, and
// type-check, compile and tests run in the page's worker; a looping program is cut off at the time limit
// while the page keeps running its timers.
import { test, expect } from '@playwright/test';
import { openLab, callLab } from './lab.ts';

interface Graded {
  score: number;
  details: Record<string, unknown>;
  ms: number;
}

const problem = { id: 'sum_pos', tests: ['sum_pos [1; -2; 3] = 4', 'sum_pos [] = 0', 'sum_pos [-1] = 0'] };
const good = [
  '```ocaml',
  'let rec sum_pos l =',
  '  match l with',
  '  | [] -> 0',
  '  | x :: rest ->',
  '    if x > 0 then',
  '      x + sum_pos rest',
  '    else',
  '      sum_pos rest',
  '```',
  'END',
].join('\n');

test('type-checks, compiles and runs the tests in the page worker', async ({ page }) => {
  await openLab(page);
  const ok = await callLab<Graded>(page, 'ocamlCheck', problem, good);
  expect(ok.score).toBe(1);
  expect(ok.details).toMatchObject({ type_errors: 0, compiled: true, tests_passed: 3, status: 'ok' });
  console.log(`check in Chromium: ${ok.ms.toFixed(0)} ms`);

  const bad = good.replace('x + sum_pos rest', 'x +. sum_pos rest');
  const typeError = await callLab<Graded>(page, 'ocamlCheck', problem, bad);
  expect(typeError.details).toMatchObject({ type_errors: 1, compiled: false, tests_passed: 0 });
  expect((typeError.details.messages as { text: string }[])[0].text).toMatch(
    /This expression has type int but an expression was expected of type\s+float/,
  );
  expect(typeError.score).toBeCloseTo(0.05 + 0.2 * 0);
  console.log(`check with a type error in Chromium: ${typeError.ms.toFixed(0)} ms`);
});

test('a looping program is cut off at the time limit while the page stays responsive', async ({ page }) => {
  await openLab(page);
  const loop = good.replace('    if x > 0 then', '    let rec spin n = spin n in\n    if spin x > 0 then');
  const t = Date.now();
  const r = await callLab<{ result: Graded; ticks: number; maxGapMs: number }>(
    page,
    'ocamlCheckResponsive',
    problem,
    loop,
    { time_limit_ms: 2000 },
  );
  const elapsed = Date.now() - t;
  console.log(
    `looping check with a 2000 ms limit: answered after ${elapsed} ms; page timer ticked ${r.ticks} times, longest gap ${r.maxGapMs.toFixed(0)} ms`,
  );
  expect(elapsed).toBeLessThan(2000 + 1500);
  expect(r.result.details).toMatchObject({ status: 'timeout', compiled: true, tests_passed: 0 });
  // the page kept ticking every 10 ms through the loop; a blocked main thread would stall for ~2 s
  expect(r.ticks).toBeGreaterThan(50);
  expect(r.maxGapMs).toBeLessThan(500);
  // and the next check gets a fresh worker
  const next = await callLab<Graded>(page, 'ocamlCheck', problem, good);
  expect(next.score).toBe(1);
});

test('the ocaml reward runs from the reward worker of the app, its checker a worker of that worker', async ({
  page,
}) => {
  await openLab(page);
  const r = await callLab<{ score: number; details: Record<string, unknown> }>(
    page,
    'ocamlRewardInWorker',
    problem,
    good,
  );
  expect(r.score).toBe(1);
  expect(r.details).toMatchObject({ tests_passed: 3 });
});
