// The built-in `demo-arithmetic` dataset: two-digit numbers plus or minus one- or two-digit numbers, as short text
// questions with numeric answers, generated from a seed. Short on purpose: the bundled demo model reads
// characters, and its prompts must fit max_prompt_length 64.
//
//   arithmeticRows(3, 1)   // [{ question: 'What is 37 + 48?', answer: '85' }, ...]
import { Rng } from '../engine/rng.ts';
import type { DatasetSplits, Row } from './types.ts';

export interface ArithmeticOptions {
  /** Digits of the first operand (2: 10..99). */
  digits?: number;
  /** Digit counts the second operand is drawn from: a mix of easier (one digit) and harder questions, so a
   * small model gets some right early and has something left to learn. */
  secondDigits?: number[];
  /** Operators to draw from; subtraction keeps results non-negative. */
  ops?: Array<'+' | '-'>;
}

export function arithmeticQuestion(rng: Rng, o: ArithmeticOptions = {}): Row {
  const ops = o.ops ?? ['+', '-'], second = o.secondDigits ?? [1, 2];
  const draw = (digits: number) => { const lo = digits === 1 ? 0 : 10 ** (digits - 1); return lo + rng.int(10 ** digits - lo); };
  let a = draw(o.digits ?? 2);
  let b = draw(second[rng.int(second.length)]);
  const op = ops[rng.int(ops.length)];
  if (op === '-' && b > a) [a, b] = [b, a];
  return { question: `What is ${a} ${op} ${b}?`, answer: String(op === '+' ? a + b : a - b) };
}

export function arithmeticRows(n: number, seed: number, o: ArithmeticOptions = {}): Row[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, () => arithmeticQuestion(rng, o));
}

/** 4,000 training questions and 500 held-out ones that never appear in training. */
export function arithmeticSplits(o: ArithmeticOptions = {}): DatasetSplits {
  const test = arithmeticRows(500, 2, o);
  const held = new Set(test.map((r) => r.question));
  const train = arithmeticRows(4500, 1, o).filter((r) => !held.has(r.question)).slice(0, 4000);
  return { train, test };
}
