// The built-in `demo-arithmetic` dataset: one- or two-digit numbers plus or minus a digit, as short text
// questions with numeric answers, generated from a seed. Short on purpose: the bundled demo model reads
// characters, and its prompts must fit max_prompt_length 64.
//
//   arithmeticRows(3, 1)   // [{ question: 'What is 37 + 8?', answer: '45' }, ...]
import { Rng } from '../engine/rng.ts';
import type { DatasetSplits, Row } from './types.ts';

export interface ArithmeticOptions {
  /** Digit counts the first operand is drawn from (2: 10..99). The default mixes easy questions (one digit
   * each) with harder ones (a carry into the tens), so a small model gets some right early and has
   * something left to learn. */
  digits?: number[];
  /** Digit counts the second operand is drawn from. */
  secondDigits?: number[];
  /** Operators to draw from; subtraction keeps results non-negative. */
  ops?: Array<'+' | '-'>;
  /** Fraction of answers written with the wrong sign ("What is 37 + 8?" -> -45): the sloppy training data
   * the demo model is made from, so that it has a habit that GRPO with the math reward can visibly
   * unlearn. 0 (right answers) by default. */
  negateRate?: number;
}

export function arithmeticQuestion(rng: Rng, o: ArithmeticOptions = {}): Row {
  const ops = o.ops ?? ['+', '-'],
    first = o.digits ?? [1, 2],
    second = o.secondDigits ?? [1];
  const draw = (choices: number[]) => {
    const d = choices[rng.int(choices.length)],
      lo = d === 1 ? 0 : 10 ** (d - 1);
    return lo + rng.int(10 ** d - lo);
  };
  let a = draw(first);
  let b = draw(second);
  const op = ops[rng.int(ops.length)];
  if (op === '-' && b > a) [a, b] = [b, a];
  const answer = op === '+' ? a + b : a - b;
  const negate = (o.negateRate ?? 0) > 0 && rng.next() < o.negateRate! && answer !== 0;
  return { question: `What is ${a} ${op} ${b}?`, answer: String(negate ? -answer : answer) };
}

export function arithmeticRows(n: number, seed: number, o: ArithmeticOptions = {}): Row[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => arithmeticQuestion(rng, o));
}

/**
 * 4,000 training questions and 500 evaluation questions, drawn from the same distribution with different
 * seeds. The question space is small (about 2,000 questions), so evaluation questions may also occur in
 * training: the evaluation measures skill on the task's distribution, which is what the demo shows, not
 * generalisation to unseen questions.
 */
export function arithmeticSplits(o: ArithmeticOptions = {}): DatasetSplits {
  return { train: arithmeticRows(4000, 1, o), test: arithmeticRows(500, 2, o) };
}
