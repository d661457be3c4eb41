// Shared by the math-meaning tests: a table of [answer, gold, expected score] graded through gradeMath, the
// answer put in \boxed{} unless the row is a whole completion (it has a \boxed{} or "answer is" already).
import { expect, it } from 'vitest';
import { gradeMath } from '../../src/reward/math.ts';

export type Row = [answer: string, gold: string, score: 0 | 1];

export const PM = (rows: string) => `\\begin{pmatrix} ${rows} \\end{pmatrix}`;
export const BM = (rows: string) => `\\begin{bmatrix} ${rows} \\end{bmatrix}`;

export function gradeRows(rows: Row[]): void {
  it.each(rows)('%s against %s -> %i', (answer, gold, score) => {
    const completion = /\\boxed|answer is/i.test(answer) ? answer : `So the result follows.\n\\boxed{${answer}}`;
    const v = gradeMath(completion, gold);
    expect(v.score, v.reason).toBe(score);
  });
}
