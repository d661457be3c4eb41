// The math reward (the grading itself is math-grade.ts), with the Compute Engine for answers graded by
// meaning: what the app, the reward worker and the tests use.
//
//   gradeMath('so she makes $18 a day.\n#### 18', '18')
//   // { score: 1, rule: 'hash', extracted: '18', value: 18, gold: 18, reason: 'equal to the gold answer' }
import type { RewardFn } from './types.ts';
import { gradeExpression } from './math-expr.ts';
import { gradeMathWith, mathOptions, rowGold, type MathOptions, type MathVerdict } from './math-grade.ts';

export * from './math-grade.ts';

export function gradeMath(completion: string, gold: string, options: Partial<MathOptions> = {}): MathVerdict {
  return gradeMathWith(gradeExpression, completion, gold, options);
}

export const mathReward: RewardFn = (sample, options) => {
  const gold = rowGold(sample.row, options);
  if (gold === null) return null;
  const v = gradeMath(sample.completion, gold, mathOptions(options));
  return { score: v.score, details: { ...v } };
};
