// The math reward's expression grader in Chromium: it runs in the reward worker (its computer algebra
// system is loaded there on the first call) and grades LaTeX answers by meaning, both ways.
import { expect, test } from '@playwright/test';
import { callLab, openLab } from './lab.ts';

test('math reward in the reward worker: expressions, intervals, sets and matrices by meaning', async ({ page }) => {
  await openLab(page);
  const probe = (completions: string[], gold: string) =>
    callLab<{ scores: number[][] }>(page, 'rewardWorkerProbe', [{ name: 'math' }], completions, gold);
  expect((await probe(['\\boxed{(x+1)^2}', '\\boxed{(x-1)^2}'], 'x^2+2x+1')).scores).toEqual([[1], [0]]);
  expect((await probe(['\\boxed{[0, \\tfrac12)}', '\\boxed{(0, \\tfrac12)}'], '[0, \\frac{1}{2})')).scores).toEqual([
    [1],
    [0],
  ]);
  expect((await probe(['\\boxed{\\{3, 1, 2\\}}', '\\boxed{\\{1, 2\\}}'], '\\{1,2,3\\}')).scores).toEqual([[1], [0]]);
  const m = '\\begin{pmatrix} 0 & 3 \\\\ 0 & -1 \\end{pmatrix}';
  expect((await probe([`\\boxed{${m}}`, `\\boxed{${m.replace('-1', '1')}}`], m)).scores).toEqual([[1], [0]]);
  expect((await probe(['#### 18', '#### 17'], '18')).scores).toEqual([[1], [0]]);
});
