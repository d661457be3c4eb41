// MATH-style answers graded by meaning, both ways: equivalent forms score 1, near misses (a wrong sign, an
// open end for a closed one, a missing set element, a different matrix entry) score 0. Each row is
// [answer, gold, expected score]; the answer is put in \boxed{} unless it already has a marker.
import { describe, expect, it } from 'vitest';
import { gradeMath } from '../../src/reward/math.ts';

type Row = [answer: string, gold: string, score: 0 | 1];

const NUMBERS: Row[] = [
  ['\\frac{1}{2}', '0.5', 1],
  ['\\dfrac{3}{4}', '\\frac34', 1],
  ['\\frac{2}{4}', '\\frac{1}{2}', 1],
  ['-\\frac{1}{2}', '\\frac{-1}{2}', 1],
  ['1,000', '1000', 1],
  ['10{,}000', '10000', 1],
  ['0.\\overline{3}', '\\frac{1}{3}', 1],
  ['2\\frac{1}{2}', '\\frac{5}{2}', 1],
  ['5.0', '5', 1],
  ['\\$5.00', '5', 1],
  ['1.5\\times10^{3}', '1500', 1],
  ['3^2', '9', 1],
  ['\\frac{6}{2}', '3', 1],
  ['\\frac{1}{3}', '0.333', 0],
  ['-\\frac{1}{2}', '\\frac{1}{2}', 0],
  ['3^2', '6', 0],
  ['2\\frac{1}{2}', '1', 0],
  ['5\\sqrt{2}', '5', 0],
  ['2x', '2', 0],
  ['1001', '1000', 0],
  ['\\frac{3}{4}', '\\frac{4}{3}', 0],
  ['0.5', '\\frac{1}{3}', 0],
  ['10!', '3628800', 1],
  ['9!', '3628800', 0],
  ['2^{10}', '1024', 1],
  ['\\frac32', '1\\frac{1}{2}', 1],
  ['\\frac52', '1\\frac{1}{2}', 0],
];

const RADICALS_PI_E: Row[] = [
  ['\\frac{\\sqrt{3}}{2}', '\\frac{\\sqrt3}{2}', 1],
  ['\\frac{\\sqrt{3}}{2}', '\\frac{1}{2}\\sqrt{3}', 1],
  ['2\\sqrt{3}', '\\sqrt{12}', 1],
  ['\\sqrt{12}', '2\\sqrt3', 1],
  ['\\frac{1}{\\sqrt{2}}', '\\frac{\\sqrt{2}}{2}', 1],
  ['\\sqrt[3]{-8}', '-2', 1],
  ['\\sqrt[3]{16}', '2\\sqrt[3]{2}', 1],
  ['4\\sqrt{5}+8', '8+4\\sqrt5', 1],
  ['\\frac{9\\pi}{4}', '\\frac{9}{4}\\pi', 1],
  ['2\\pi', '\\pi \\cdot 2', 1],
  ['e^2', 'e \\cdot e', 1],
  ['\\ln(e^3)', '3', 1],
  ['\\log_2 8', '3', 1],
  ['\\sin\\frac{\\pi}{6}', '\\frac12', 1],
  ['\\frac{\\sqrt{3}}{2}', '\\frac{\\sqrt{2}}{2}', 0],
  ['2\\sqrt{3}', '3\\sqrt{2}', 0],
  ['\\sqrt{12}', '12', 0],
  ['-4\\sqrt{5}+8', '8+4\\sqrt5', 0],
  ['\\frac{9\\pi}{4}', '\\frac{9}{4}', 0],
  ['3.14', '\\pi', 0],
  ['2.718', 'e', 0],
  ['\\sqrt[3]{2}', '\\sqrt{2}', 0],
];

const EXPRESSIONS: Row[] = [
  ['(x+1)^2', 'x^2 + 2x + 1', 1],
  ['x^2+2x+1', '(x+1)^2', 1],
  ['-2p+2', '2-2p', 1],
  ['2(1-p)', '2-2p', 1],
  ['(x+2)(x+5)', 'x^2+7x+10', 1],
  ['\\frac{x^2-1}{x-1}', 'x+1', 1],
  ['\\frac{1}{2}ab', '\\frac{ab}{2}', 1],
  ['p^{2}q', 'qp^2', 1],
  ['\\sin^2 x + \\cos^2 x', '1', 1],
  ['3x-6', '3(x-2)', 1],
  ['\\sqrt{x^2}', 'x', 1],
  ['\\frac{a+b}{2}', '\\frac{b+a}{2}', 1],
  ['e^{x}e^{y}', 'e^{x+y}', 1],
  ['x^3', 'x\\cdot x^2', 1],
  ['2p-2', '2-2p', 0],
  ['(x-1)^2', 'x^2 + 2x + 1', 0],
  ['x^2+7x+12', '(x+2)(x+5)', 0],
  ['\\frac{1}{2}ab', '\\frac{a}{2b}', 0],
  ['2q-2', '2-2p', 0],
  ['x^2', '2x', 0],
  ['3x+6', '3(x-2)', 0],
  ['x+1', 'x-1', 0],
  ['e^{xy}', 'e^{x+y}', 0],
];

const EQUATIONS: Row[] = [
  ['k = \\frac{1}{3}', 'k = \\frac13', 1],
  ['\\frac{1}{3}', 'k = \\frac{1}{3}', 1],
  ['x = 5', '5', 1],
  ['y = 2x + 3', 'y=2x+3', 1],
  ['y = 3 + 2x', 'y = 2x + 3', 1],
  ['2x - y + 3 = 0', 'y = 2x + 3', 1],
  ['2x + 3 = y', 'y = 2x + 3', 1],
  ['x^2 + y^2 = 4', 'y^2 + x^2 = 4', 1],
  ['a = 2, b = 3', 'a=2, b=3', 1],
  ['x = 1, x = 2', '1, 2', 1],
  ['x = 2 \\text{ or } x = 1', '1, 2', 1],
  ['y = 2x - 3', 'y = 2x + 3', 0],
  ['k = \\frac{1}{2}', 'k = \\frac{1}{3}', 0],
  ['x = -5', '5', 0],
  ['y = 3x + 2', 'y = 2x + 3', 0],
  ['x^2 + y^2 = 2', 'x^2 + y^2 = 4', 0],
  ['x = 1', '1, 2', 0],
  ['x = 1, x = 3', '1, 2', 0],
  ['x^2', 'f(x) = x^2', 1],
  ['2x^2', 'f(x) = x^2', 0],
];

const TUPLES: Row[] = [
  ['\\left( 3, \\frac{\\pi}{2} \\right)', '\\left( 3, \\frac{\\pi}{2} \\right)', 1],
  ['(3, \\tfrac{\\pi}{2})', '\\left( 3, \\frac{\\pi}{2} \\right)', 1],
  ['(1,2)', '(1, 2)', 1],
  ['(0.5, -1)', '\\left(\\frac12, -1\\right)', 1],
  ['(2\\sqrt{2}, \\frac{\\pi}{4})', '(\\sqrt{8}, \\frac{\\pi}{4})', 1],
  ['(1, 2, 3)', '(1,2,3)', 1],
  ['(-1, 0)', '(-1,0)', 1],
  ['(a+b, ab)', '(b+a, ba)', 1],
  ['(2, 1)', '(1, 2)', 0],
  ['(1, -2)', '(1, 2)', 0],
  ['(1, 2, 3)', '(1, 2)', 0],
  ['(3, \\pi)', '\\left( 3, \\frac{\\pi}{2} \\right)', 0],
  ['(-3, \\frac{\\pi}{2})', '\\left( 3, \\frac{\\pi}{2} \\right)', 0],
  ['(0, 1)', '(1, 0)', 0],
  ['(1,2)', '[1, 2)', 0],
];

const SETS: Row[] = [
  ['\\{-12, -11, -10\\}', '\\{-12, -11, -10\\}', 1],
  ['\\{-10, -11, -12\\}', '\\{-12, -11, -10\\}', 1],
  ['-10, -11, -12', '-12, -11, -10', 1],
  ['\\{1, 2\\}', '1, 2', 1],
  ['2, 1', '1, 2', 1],
  ['1 \\text{ and } 2', '1, 2', 1],
  ['\\{\\sqrt{2}, -\\sqrt{2}\\}', '-\\sqrt2, \\sqrt2', 1],
  ['\\pm\\sqrt{2}', '\\sqrt{2}, -\\sqrt{2}', 1],
  ['1 \\pm \\sqrt{3}', '1+\\sqrt3, 1-\\sqrt3', 1],
  ['\\{\\frac12, 3\\}', '3, 0.5', 1],
  ['\\emptyset', '\\varnothing', 1],
  ['\\{-10, -11\\}', '\\{-12, -11, -10\\}', 0],
  ['\\{-10, -11, -13\\}', '\\{-12, -11, -10\\}', 0],
  ['1, 2, 3', '1, 2', 0],
  ['\\{1, -2\\}', '1, 2', 0],
  ['\\sqrt{2}', '\\sqrt{2}, -\\sqrt{2}', 0],
  ['\\{1\\}', '\\{1, 1, 2\\}', 0],
];

const INTERVALS: Row[] = [
  ['[0, 1)', '[0,1)', 1],
  ['\\left[0, 1\\right)', '[0, 1)', 1],
  ['x \\in [2, 5)', '[2,5)', 1],
  ['(-\\infty, 2] \\cup (3, \\infty)', '(-\\infty, 2] \\cup (3, \\infty)', 1],
  ['(3, \\infty) \\cup (-\\infty, 2]', '(-\\infty, 2] \\cup (3, \\infty)', 1],
  ['(0, \\frac{1}{2}]', '(0, 0.5]', 1],
  ['(-\\infty, \\infty)', '\\mathbb{R}', 1],
  ['[-\\sqrt{2}, \\sqrt{2}]', '[-\\sqrt2,\\sqrt2]', 1],
  ['(1, 4)', '(1,4)', 1],
  ['[0, 1]', '[0, 1)', 0],
  ['(0, 1)', '[0, 1)', 0],
  ['(0, 1]', '[0, 1)', 0],
  ['[0, 2)', '[0, 1)', 0],
  ['(-\\infty, 2) \\cup (3, \\infty)', '(-\\infty, 2] \\cup (3, \\infty)', 0],
  ['(-\\infty, 2]', '(-\\infty, 2] \\cup (3, \\infty)', 0],
  ['[1, 4]', '(1,4)', 0],
  ['(-\\infty, 2] \\cup [3, \\infty)', '(-\\infty, 2] \\cup (3, \\infty)', 0],
  ['x \\ge 3', '[3, \\infty)', 1],
  ['x > 3', '[3, \\infty)', 0],
  ['x < 2', '(-\\infty, 2)', 1],
  ['x \\le 2', '(-\\infty, 2)', 0],
  ['[3,\\infty)', 'x \\geq 3', 1],
];

const PM = (rows: string) => `\\begin{pmatrix} ${rows} \\end{pmatrix}`;
const MATRICES: Row[] = [
  [PM('0 & 3 \\\\ 0 & -1'), PM('0 & 3 \\\\ 0 & -1'), 1],
  [`\\begin{bmatrix} 0 & 3 \\\\ 0 & -1 \\end{bmatrix}`, PM('0 & 3 \\\\ 0 & -1'), 1],
  [PM('\\frac12 & 1 \\\\ 0 & 2'), PM('0.5 & 1 \\\\ 0 & 2'), 1],
  [PM('1 \\\\ 2 \\\\ 3'), PM('1 \\\\ 2 \\\\ 3'), 1],
  [PM('2 \\\\ -1'), PM('2\\\\-1'), 1],
  [PM('\\sqrt{4} & 0 \\\\ 0 & 1'), PM('2 & 0 \\\\ 0 & 1'), 1],
  [PM('1 & 2'), PM('1 & 2'), 1],
  [PM('0 & 3 \\\\ 0 & 1'), PM('0 & 3 \\\\ 0 & -1'), 0],
  [PM('0 & 0 \\\\ 3 & -1'), PM('0 & 3 \\\\ 0 & -1'), 0],
  [PM('1 \\\\ 2'), PM('1 \\\\ 2 \\\\ 3'), 0],
  [PM('2 \\\\ 1'), PM('2\\\\-1'), 0],
  [PM('1 & 2 \\\\ 3 & 4'), PM('1 & 2 \\\\ 3 & 5'), 0],
  [PM('0 & 3'), PM('0 & 3 \\\\ 0 & -1'), 0],
];

const DEGREES_PERCENT_UNITS: Row[] = [
  ['90^\\circ', '90', 1],
  ['90', '90^\\circ', 1],
  ['90^{\\circ}', '90^\\circ', 1],
  ['45°', '45', 1],
  ['28\\%', '28', 1],
  ['28', '28\\%', 1],
  ['10 \\text{ cm}', '10', 1],
  ['10\\text{ cm}^2', '10', 1],
  ['12 \\text{ square units}', '12', 1],
  ['5 \\text{ dollars}', '5', 1],
  ['3\\text{ hours}', '3', 1],
  ['\\$18', '18', 1],
  ['120 \\text{ degrees}', '120', 1],
  ['\\frac{\\sqrt{3}}{2} \\text{ cm}', '\\frac{\\sqrt3}{2}', 1],
  ['80^\\circ', '90^\\circ', 0],
  ['27\\%', '28\\%', 0],
  ['11 \\text{ cm}', '10', 0],
  ['12 \\text{ units}^2', '13', 0],
  ['\\$19', '18', 0],
  ['0.28', '28\\%', 1],
  ['0.27', '28\\%', 0],
];

const TEXT: Row[] = [
  ['\\text{Evelyn}', '\\text{Evelyn}', 1],
  ['Evelyn', '\\text{Evelyn}', 1],
  ['\\text{evelyn}', '\\text{Evelyn}', 1],
  ['\\textbf{Evelyn}', 'Evelyn', 1],
  ['(C)', '\\text{(C)}', 1],
  ['C', '\\text{(C)}', 1],
  ['\\text{(C)}', '(C)', 1],
  ['\\text{odd}', '\\text{odd}', 1],
  ['\\text{ Monday }', '\\text{Monday}', 1],
  ['\\text{A, C}', '\\text{A,C}', 1],
  ['\\text{Bob}', '\\text{Evelyn}', 0],
  ['D', '\\text{(C)}', 0],
  ['\\text{even}', '\\text{odd}', 0],
  ['\\text{Tuesday}', '\\text{Monday}', 0],
  ['(B)', '(C)', 0],
  ['Eve', '\\text{Evelyn}', 0],
];

const INLINE: Row[] = [
  ['The answer is therefore $x = 5$.', 'x=5', 1],
  ['The final answer is $\\frac{\\sqrt3}{2}$. I hope it is correct.', '\\frac{\\sqrt{3}}{2}', 1],
  ['The answer is therefore $x = 4$.', 'x=5', 0],
];

function run(rows: Row[]): void {
  it.each(rows)('%s against %s -> %i', (answer, gold, score) => {
    const completion = /\\boxed|answer is/.test(answer) ? answer : `So the result follows.\n\\boxed{${answer}}`;
    const v = gradeMath(completion, gold);
    expect(v.score, v.reason).toBe(score);
  });
}

describe('numbers and fractions', () => run(NUMBERS));
describe('radicals, pi and e', () => run(RADICALS_PI_E));
describe('expressions in variables', () => run(EXPRESSIONS));
describe('equations', () => run(EQUATIONS));
describe('tuples and points', () => run(TUPLES));
describe('sets and answer lists', () => run(SETS));
describe('intervals and unions', () => run(INTERVALS));
describe('matrices and vectors', () => run(MATRICES));
describe('degrees, percentages and units', () => run(DEGREES_PERCENT_UNITS));
describe('text answers', () => run(TEXT));
describe('answers stated in a sentence', () => run(INLINE));
