// Tricky completions, both ways: right answers that naive graders miss (score 1) and wrong answers that
// naive graders accept (score 0). Each row: completion, gold, expected score, and the rule that must match.
import { describe, expect, it } from 'vitest';
import { gradeMath, type MathOptions } from '../../src/reward/math.ts';

type Case = [completion: string, gold: string, score: 0 | 1, rule: string | null, options?: Partial<MathOptions>];

const RIGHT_BUT_MISSED: Case[] = [
  ['She makes 9 * 2 = $18 every day.\n#### 18', '18', 1, 'hash'],
  ['The answer is 72', '72', 1, 'answer_is'],
  ['So the total is 72 clips.', '72', 1, 'last_number'],
  ['\\boxed{1,234}', '1234', 1, 'boxed'],
  ['The answer is 1,234.', '1234', 1, 'answer_is'],
  ['#### 1,234,567', '1234567', 1, 'hash'],
  ['The answer is $18.', '18', 1, 'answer_is'],
  ['The answer is 18 dollars.', '18', 1, 'answer_is'],
  ['Answer: 18 cm', '18', 1, 'answer_line'],
  ['Answer: \\$18.00', '18', 1, 'answer_line'],
  ['The final answer is 18.0', '18', 1, 'answer_is'],
  ['\\boxed{18.00}', '18', 1, 'boxed'],
  ['\\boxed{\\frac{3}{4}}', '0.75', 1, 'boxed'],
  ['\\boxed{\\dfrac{3}{4}}', '3/4', 1, 'boxed'],
  ['The answer is 3/4.', '0.75', 1, 'answer_is'],
  ['The answer is 0.75', '\\frac{3}{4}', 1, 'answer_is'],
  ['\\boxed{\\text{13}}', '13', 1, 'boxed'],
  ['\\boxed{13 \\text{ apples}}', '13', 1, 'boxed'],
  ['\\boxed{\\$1{,}250}', '1250', 1, 'boxed'],
  ['The answer is 10%.', '10', 1, 'answer_is'],
  ['The answer is 25 percent', '25', 1, 'answer_is'],
  ['The answer is -5.', '-5', 1, 'answer_is'],
  ['The answer is \u22125', '-5', 1, 'answer_is'],
  ['\\boxed{-\\frac{1}{2}}', '-0.5', 1, 'boxed'],
  ['The answer is: **42**', '42', 1, 'answer_is'],
  ['**Final Answer:** 42', '42', 1, 'answer_line'],
  ['So x = 5 + 3 = 8.\nA: 8', '8', 1, 'answer_line'],
  ['The answer is 5 + 3 = 8 apples.', '8', 1, 'answer_is'],
  ['\\boxed{\\boxed{7}}', '7', 1, 'boxed'],
  ['\\boxed{70} ... wait, I made an error. \\boxed{72}', '72', 1, 'boxed'],
  ['The answer is $\\boxed{72}$.', '72', 1, 'boxed'],
  ['Final answer: $72$', '72', 1, 'answer_line'],
  ['The answer is twelve.', '12', 1, 'answer_is'],
  ['The answer is forty-two', '42', 1, 'answer_is'],
  ['The angle is \\boxed{90^\\circ}', '90', 1, 'boxed'],
  ['The answer is 1.5e3', '1500', 1, 'answer_is'],
  ['Total: 1\\,234 people\n#### 1\\,234', '1234', 1, 'hash'],
  ['The answer is .5', '0.5', 1, 'answer_is'],
  ['The answer is 0.3333333', '0.3333333', 1, 'answer_is'],
  ['Each costs 48/2 = <<48/2=24>>24 dollars.', '24', 1, 'last_number'],
  ['\\boxed 5', '5', 1, 'boxed'],
  ['The answer is 18', 'Janet makes 16 - 7 = 9 eggs.\n#### 18', 1, 'answer_is'],
  ['#### 18', 'A: 18', 1, 'hash'],
  ['The answer is 10%', '0.1', 1, 'answer_is', { percentAsNumber: false }],
  ['The answer is 2 1/2 cups.', '2.5', 1, 'answer_is'],
  ['\\boxed{2\\frac{1}{2}}', '5/2', 1, 'boxed'],
  ['\\boxed{1.8 \\times 10^{4}}', '18000', 1, 'boxed'],
  ['\\boxed{1,\\!234}', '1234', 1, 'boxed'],
  ['\\boxed{\\num{1234}}', '1234', 1, 'boxed'],
  ['**Answer: 18**', '18', 1, 'answer_line'],
  ['She sells 9 eggs.\n#### 18\n\nQuestion: Tom has 25 apples...\n#### 25', '18', 1, 'hash'],
  ['#### Step 1: eggs left\n16 - 7 = 9\n#### Step 2: money\n9 * 2 = 18\nThe answer is 18.', '18', 1, 'answer_is'],
  ['### Final Answer\n\n18 dollars', '18', 1, 'answer_line', { strict: true }],
  ['#### 2. Add them up\nSo the total is 18.', '18', 1, 'last_number'],
  ['#### -5', '-5', 1, 'hash'],
  ['Question: how much does she make?\nShe makes 9 * 2 = 18.\n#### 18', '18', 1, 'hash'],
];

const WRONG_BUT_ACCEPTED: Case[] = [
  ['I first got 18 but the answer is 20.', '18', 0, 'answer_is'],
  ['\\boxed{15}', '5', 0, 'boxed'],
  ['\\boxed{18.5}', '18', 0, 'boxed'],
  ['The answer is 5', '0.5', 0, 'answer_is'],
  ['The answer is 5', '-5', 0, 'answer_is'],
  ['The answer is \\frac{3}{4}', '3', 0, 'answer_is'],
  ['The answer is 1/2', '12', 0, 'answer_is'],
  ['The answer is 12,34', '1234', 0, 'answer_is'],
  ['The answer is 1,234', '1', 0, 'answer_is'],
  ['The answer is 1,234', '234', 0, 'answer_is'],
  ['The answer is 7 or 8', '7', 0, 'answer_is'],
  ['\\boxed{72}\nLet me double-check: 70 + 2 = 72, or maybe 80.', '80', 0, 'boxed'],
  ['#### 18\nThe next question: 20 + 5 = 25', '25', 0, 'hash'],
  ['The answer is 10%', '10', 0, 'answer_is', { percentAsNumber: false }],
  ['She makes 18 dollars.', '18', 0, null, { strict: true }],
  ['18', '18', 0, null, { strict: true }],
  ['The answer is 180', '18', 0, 'answer_is'],
  ['The answer is 18000', '18', 0, 'answer_is'],
  ['\\boxed{1.8}', '18', 0, 'boxed'],
  ['\\boxed{\\frac{1}{8}}', '18', 0, 'boxed'],
  ['There are 18 eggs.\n#### 9', '18', 0, 'hash'],
  ['The answer is \\boxed{}', '0', 0, 'boxed'],
  ['The answer is unknown.', '0', 0, 'answer_is'],
  ['I cannot solve this problem.', '0', 0, 'last_number'],
  ['The answer is one hundred and five', '1', 0, 'answer_is'],
  ['The answer is 3.', '3.5', 0, 'answer_is'],
  ['\\boxed{18', '18', 0, null, { strict: true }],
  ['The answer is 2018', '18', 0, 'answer_is'],
  ['The answer is 5-3', '-3', 0, 'answer_is'],
  ['\\boxed{1/0}', '0', 0, 'boxed'],
  ['She sells 9 eggs.\n#### 18\n\nQuestion: Tom has 25 apples...\n#### 25', '25', 0, 'hash'],
  ['\\boxed{18, 20}', '18', 0, 'boxed'],
  ['\\boxed{18 \\text{ or } 20}', '18', 0, 'boxed'],
  ['The answer is 21/2', '2.5', 0, 'answer_is'],
  ['The answer is 1.8', '18000', 0, 'answer_is'],
];

function run(cases: Case[]): void {
  it.each(cases.map((c, i) => [i, ...c] as const))(
    '#%i %j (gold %j) -> %i',
    (_i, completion, gold, score, rule, options) => {
      const v = gradeMath(completion, gold, options ?? {});
      expect({ score: v.score, rule: v.rule }, v.reason).toEqual({ score, rule });
    },
  );
}

describe('right answers that naive graders miss', () => run(RIGHT_BUT_MISSED));
describe('wrong answers that naive graders accept', () => run(WRONG_BUT_ACCEPTED));

describe('verdict', () => {
  it('says what was extracted and why', () => {
    expect(gradeMath('She makes $18 a day.\n#### 18', '18')).toEqual({
      score: 1,
      rule: 'hash',
      extracted: '18',
      value: 18,
      gold: 18,
      reason: 'equal to the gold answer',
    });
    expect(gradeMath('so 2 + 3 = 5 apples', '6')).toMatchObject({
      score: 0,
      rule: 'last_number',
      extracted: '5',
      value: 5,
    });
  });
});

describe('hostile completions', () => {
  it('are graded quickly (no quadratic scans) and never throw', () => {
    const inputs = [
      '\n'.repeat(100_000) + 'Q:',
      '1 ' + '\n'.repeat(100_000),
      '\\boxed{'.repeat(20_000),
      '{'.repeat(50_000),
      '1,'.repeat(50_000) + '5',
      '9'.repeat(100_000),
      'answer is '.repeat(20_000),
      '$'.repeat(100_000) + '5',
      '1/'.repeat(50_000),
      '2' + ' '.repeat(100_000) + '\\frac{1}{2}',
    ];
    for (const s of inputs) {
      const t = performance.now();
      expect(() => gradeMath(s, '5')).not.toThrow();
      expect(performance.now() - t, s.slice(0, 20)).toBeLessThan(1000);
    }
  });
});

describe('math reward options', () => {
  it('reads snake_case options and rejects wrong types', async () => {
    const { mathOptions, mathReward, MathOptionError } = await import('../../src/reward/math.ts');
    expect(mathOptions({ strict: true, percent_as_number: false, tolerance: 0.01 })).toEqual({
      strict: true,
      percentAsNumber: false,
      tolerance: 0.01,
    });
    expect(() => mathOptions({ strict: 'yes' })).toThrow(MathOptionError);
    expect(() => mathOptions({ tolerance: -1 })).toThrow(/tolerance must be a number >= 0/);
    const s = { prompt: '', completion: 'so 18', completionIds: [], finishReason: 'stop' as const };
    expect(mathReward({ ...s, row: { gold: '18' } }, { answer_field: 'gold' })).toMatchObject({ score: 1 });
    expect(mathReward({ ...s, row: { question: 'q' } }, {})).toBeNull();
  });
});
