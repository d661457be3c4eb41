// Format, overlong and k-SAT rewards; custom-code checks.
import { describe, expect, it } from 'vitest';
import { formatReward, formatChecker, FormatOptionError } from '../../src/reward/format.ts';
import { overlongPenalty, overlongReward } from '../../src/reward/overlong.ts';
import {
  generateKsat,
  parseAssignment,
  scoreAssignment,
  solveKsat,
  formatAssignment,
  ksatReward,
} from '../../src/reward/ksat.ts';
import { checkCustomCode, CustomRewardError } from '../../src/reward/custom.ts';
import { Rng } from '../../src/engine/rng.ts';
import type { RewardSample } from '../../src/reward/types.ts';

const sample = (completion: string, extra: Partial<RewardSample> = {}): RewardSample => ({
  prompt: '',
  completion,
  completionIds: [],
  row: {},
  finishReason: 'stop',
  ...extra,
});

describe('format reward', () => {
  it.each([
    ['boxed', 'so \\boxed{18}', 1],
    ['boxed', 'so \\boxed{}', 0],
    ['boxed', 'so \\boxed{18', 0],
    ['boxed', '#### 18', 0],
    ['hash', 'x\n#### 18', 1],
    ['hash', 'x #### 18', 0],
    ['answer_line', 'Answer: 18', 1],
    ['answer_line', 'the answer 18', 0],
    ['think', '<think>hmm</think> 18', 1],
    ['think', '<think>hmm 18', 0],
  ] as const)('%s: %j -> %i', (style, text, score) => {
    expect((formatReward(sample(text), { style }) as { score: number }).score).toBe(score);
  });
  it('regex style, and clear errors', () => {
    expect(formatChecker({ style: 'regex', pattern: '^<answer>\\d+</answer>$' })('<answer>5</answer>')).toBe(true);
    expect(() => formatChecker({ style: 'regex', pattern: '(' })).toThrow(FormatOptionError);
    expect(() => formatChecker({ style: 'bold' })).toThrow(/unknown; use one of/);
  });
});

describe('overlong reward (DAPO soft punishment)', () => {
  it('is 0, then linear to -1, then -1', () => {
    expect(overlongPenalty(100, 256, 64)).toBe(0);
    expect(overlongPenalty(192, 256, 64)).toBe(0);
    expect(overlongPenalty(224, 256, 64)).toBe(-0.5);
    expect(overlongPenalty(256, 256, 64)).toBe(-1);
    expect(overlongPenalty(300, 256, 64)).toBe(-1);
  });
  it('reads the length from the completion ids', () => {
    const r = overlongReward(sample('', { completionIds: new Array(240).fill(1) }), {
      max_length: 256,
      cache_length: 64,
    });
    expect(r).toMatchObject({ score: -0.75 });
    expect(() => overlongPenalty(1, 10, 20)).toThrow(/cache_length/);
  });
});

describe('k-SAT', () => {
  it('generates satisfiable formulas, seeded', () => {
    for (let seed = 0; seed < 20; seed++) {
      const f = generateKsat(new Rng(seed));
      expect(f.k).toBeGreaterThanOrEqual(3);
      expect(f.k).toBeLessThanOrEqual(5);
      expect(f.vars).toBeGreaterThanOrEqual(10);
      expect(f.vars).toBeLessThanOrEqual(20);
      expect(f.clauses.length).toBe(Math.round(4.2 * f.vars));
      const s = scoreAssignment(f.clauses, f.vars, parseAssignment(formatAssignment(f.solution)));
      expect(s.satisfied).toBe(s.total);
    }
    expect(generateKsat(new Rng(3))).toEqual(generateKsat(new Rng(3)));
  });
  it('the solver finds unsatisfiable formulas', () => {
    expect(solveKsat([[1], [-1]], 1)).toBeNull();
    expect(
      solveKsat(
        [
          [1, 2],
          [-1, 2],
          [1, -2],
          [-1, -2],
        ],
        2,
      ),
    ).toBeNull();
    expect(solveKsat([[1, 2], [-1]], 2)).toEqual([false, false, true]);
  });
  it('scores partial and full credit; later values win; missing variables count as unsatisfying', () => {
    const row = {
      clauses: [
        [1, 2],
        [-1, 3],
        [-2, -3],
      ],
      vars: 3,
    };
    expect(ksatReward(sample('x1=True, x2=False, x3=True', { row }), {})).toMatchObject({ score: 1 });
    expect(ksatReward(sample('x1=True, x2=True, x3=True', { row }), {})).toMatchObject({ score: 2 / 3 });
    expect(ksatReward(sample('x1=True, x2=True, x3=True', { row }), { partial_credit: false })).toMatchObject({
      score: 0,
    });
    expect(ksatReward(sample('try x1=False... final: x1 = true, x2: false, x3 is T', { row }), {})).toMatchObject({
      score: 1,
    });
    expect(ksatReward(sample('x1=True', { row }), {})).toMatchObject({ score: 1 / 3, details: { missing: [2, 3] } });
    expect(ksatReward(sample('x1=True', { row: {} }), {})).toBeNull();
  });
});

describe('custom reward code', () => {
  it('refuses empty and oversized code; the rest is for the sandbox', () => {
    expect(() => checkCustomCode('')).toThrow(CustomRewardError);
    expect(() => checkCustomCode(' '.repeat(200_000) + 'return 1')).toThrow(/over the limit/);
    expect(checkCustomCode('return 1')).toBe('return 1');
  });
});
