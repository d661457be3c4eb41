// Grades a LaTeX answer against a LaTeX gold by meaning. The Compute Engine (@cortex-js/compute-engine)
// parses both into MathJSON in its canonical form (so `[0, 1)` is an Interval, `\{1, 2\}` a Set, a pmatrix
// a Matrix, `k = 1/3` an Equal); the containers are compared here (tuples in order, sets and unions in any
// order, intervals with their open and closed ends, matrices entry by entry, equations side by side) and the
// expressions in them numerically (math-eval.ts), falling back to the engine's structural equality.
//
//   gradeExpression('(x+1)^2', 'x^2+2x+1', opts)   // { score: 1, reason: 'equal as expressions ...' }
import { ComputeEngine } from '@cortex-js/compute-engine';
import { cleanAnswer, isTextAnswer, nestingDepth, textAnswer, wrappedInParens } from './math-latex.ts';
import { CheckTimeout, numericallyEqual, type Check } from './math-eval.ts';
import { relationInterval } from './math-relations.ts';

export interface ExpressionOptions {
  percentAsNumber: boolean;
  tolerance: number;
}

export interface ExpressionVerdict {
  score: 0 | 1;
  reason: string;
}

/** Each check (one answer against one gold) gives up after this long, scoring 0 with the reason. */
export const CHECK_DEADLINE_MS = 1_000;
/** Answers nested deeper than this (braces, brackets, parentheses) are not parsed. */
export const MAX_NESTING = 24;
/** Longer answers or golds are not compared (MATH's longest golds are under 100 characters). */
const MAX_TEXT = 1_000;
/** Parsed answers with more nodes than this are not compared. */
const MAX_TREE_NODES = 2_000;

let ce: ComputeEngine | null = null;

/** One engine for all checks, made on first use (it takes a few hundred ms to set up its library). */
function engine(): ComputeEngine {
  if (!ce) {
    ce = new ComputeEngine();
    ce.precision = 'machine';
  }
  return ce;
}

type Json = unknown;

/** A text as a reason shows it: at most 80 characters. */
const brief = (s: string) => (s.length > 80 ? `${s.slice(0, 80)}…` : s);

function head(e: Json): string | null {
  return Array.isArray(e) && typeof e[0] === 'string' ? e[0] : null;
}
const args = (e: Json): Json[] => (Array.isArray(e) ? e.slice(1) : []);

function treeSize(e: Json, limit: number): number {
  let n = 0;
  const stack = [e];
  while (stack.length > 0 && n <= limit) {
    const x = stack.pop();
    n++;
    if (Array.isArray(x)) stack.push(...x.slice(1));
  }
  return n;
}

function hasError(e: Json): boolean {
  return head(e) === 'Error' || (Array.isArray(e) && e.slice(1).some(hasError));
}

interface Parsed {
  json: Json;
  /** A bare comma list ("1, 2"): its order does not matter (solutions of an equation). */
  list: boolean;
}

/** Parses a cleaned answer, or says why it cannot be read. */
function parse(text: string, check: Check): Parsed | string {
  if (text.length === 0) return 'empty answer';
  if (nestingDepth(text) > MAX_NESTING) return `nested more than ${MAX_NESTING} deep`;
  const ms = Math.max(1, check.deadline - Date.now());
  const json = engine().withTimeLimit(ms, () => engine().parse(text).json) as Json;
  if (hasError(json)) return `"${brief(text)}" is not LaTeX that can be read as math`;
  if (treeSize(json, MAX_TREE_NODES) > MAX_TREE_NODES) return `"${brief(text)}" is too large to compare`;
  const list = head(json) === 'Tuple' && !wrappedInParens(text) && !text.trim().startsWith('\\langle');
  return { json, list };
}

/** Interval ends as [value, open]; a 2-tuple is the open interval, a 2-list the closed one. */
function intervalEnds(e: Json): [Json, boolean, Json, boolean] | null {
  const h = head(e);
  const a = args(e);
  if (a.length !== 2) return null;
  if (h === 'Tuple') return [a[0], true, a[1], true];
  if (h === 'List') return [a[0], false, a[1], false];
  if (h !== 'Interval') return null;
  const end = (x: Json): [Json, boolean] => (head(x) === 'Open' ? [args(x)[0], true] : [x, false]);
  return [...end(a[0]), ...end(a[1])];
}

/** Pairs every element of `as` with a distinct equal element of `bs` (order-free; small, so greedy). */
function sameMultiset(as: Json[], bs: Json[], check: Check): boolean {
  if (as.length !== bs.length) return false;
  const used = new Set<number>();
  return as.every((a) => {
    const j = bs.findIndex((b, k) => !used.has(k) && same(a, b, check));
    if (j < 0) return false;
    used.add(j);
    return true;
  });
}

const sameInOrder = (as: Json[], bs: Json[], check: Check) =>
  as.length === bs.length && as.every((a, i) => same(a, bs[i], check));

function matrixRows(e: Json): Json[][] | null {
  if (head(e) !== 'Matrix') return null;
  const rows = args(args(e)[0]);
  return rows.every((r) => head(r) === 'List') ? rows.map(args) : null;
}

const UNORDERED = new Set(['Set', 'Union']);
const RELATIONS = new Set(['Less', 'LessEqual', 'Greater', 'GreaterEqual', 'NotEqual', 'And', 'SetMinus']);

/** Whether answer `a` means the same as gold `b`. */
export function same(a: Json, b: Json, check: Check): boolean {
  const [ha, hb] = [head(a), head(b)];
  if (ha === 'Measurement' || hb === 'Measurement') return same(plusMinus(a), plusMinus(b), check);
  if (ha === 'Element' || hb === 'Element')
    return same(ha === 'Element' ? args(a).at(-1) : a, hb === 'Element' ? args(b).at(-1) : b, check);
  if (hb === 'Equal') return sameEquation(a, b, check);
  if (ha === 'Equal') return same(args(a).at(-1), b, check);
  if ((ha && RELATIONS.has(ha)) || (hb && RELATIONS.has(hb))) {
    const [ia, ib] = [relationInterval(a), relationInterval(b)];
    if (ia || ib) return same(ia ?? a, ib ?? b, check);
    return ha === hb && sameInOrder(args(a), args(b), check);
  }
  const ma = matrixRows(a),
    mb = matrixRows(b);
  if (ma || mb) return sameMatrix(ma ?? vectorRows(a), mb ?? vectorRows(b), check);
  if (hb === 'Interval' || ha === 'Interval') {
    const ia = intervalEnds(a),
      ib = intervalEnds(b);
    return !!ia && !!ib && ia[1] === ib[1] && ia[3] === ib[3] && same(ia[0], ib[0], check) && same(ia[2], ib[2], check);
  }
  if (ha && hb && (UNORDERED.has(ha) || UNORDERED.has(hb)))
    return ha === hb || (ha !== 'Union' && hb !== 'Union') ? sameMultiset(args(a), args(b), check) : false;
  // (a, b) is an open interval or a point, [a, b] a closed interval: not the same
  if (ha !== hb && args(a).length === 2 && ((ha === 'Tuple' && hb === 'List') || (ha === 'List' && hb === 'Tuple')))
    return false;
  if (ha === 'Tuple' || ha === 'List' || hb === 'Tuple' || hb === 'List')
    return (
      (ha === 'Tuple' || ha === 'List') && (hb === 'Tuple' || hb === 'List') && sameInOrder(args(a), args(b), check)
    );
  if (typeof a === 'string' && a.startsWith("'")) return typeof b === 'string' && textAnswer(a) === textAnswer(b);
  return sameValue(a, b, check);
}

/** "1 \pm \sqrt{2}" (a Measurement to the engine) is the set of its two values. */
function plusMinus(e: Json): Json {
  if (head(e) !== 'Measurement') return e;
  const [c, d] = args(e);
  return ['Set', ['Add', c, d], ['Subtract', c, d]];
}

/** A vector written as a tuple is a column: (1, 2) against \begin{pmatrix} 1 \\ 2 \end{pmatrix}. */
function vectorRows(e: Json): Json[][] | null {
  const h = head(e);
  return h === 'Tuple' || h === 'List' ? args(e).map((x) => [x]) : null;
}

function sameMatrix(a: Json[][] | null, b: Json[][] | null, check: Check): boolean {
  if (!a || !b) return false;
  const flat = (m: Json[][]) => (m.length === 1 ? m[0].map((x) => [x]) : m);
  const [fa, fb] = [flat(a), flat(b)];
  return fa.length === fb.length && fa.every((row, i) => sameInOrder(row, fb[i], check));
}

/** An equation gold: both sides of an equation answer (either way round), else its right-hand side. */
function sameEquation(a: Json, b: Json, check: Check): boolean {
  const [bl, br] = args(b);
  if (head(a) === 'Equal') {
    const [al, ar] = args(a);
    if ((same(al, bl, check) && same(ar, br, check)) || (same(al, br, check) && same(ar, bl, check))) return true;
    // the same equation rearranged: a_l - a_r is a constant multiple of b_l - b_r
    return proportional(['Subtract', al, ar], ['Subtract', bl, br], check);
  }
  // "k = 1/3" or "f(x) = x^2" against "1/3" or "x^2": the answer may leave out what the gold names
  return same(a, br, check);
}

function proportional(a: Json, b: Json, check: Check): boolean {
  for (const k of [1, -1, 2, -2, 0.5, -0.5, 3, -3])
    if (numericallyEqual(a, ['Multiply', k, b], check) === true) return true;
  return false;
}

/** Expressions: numerically at shared points, else the engine's canonical forms. */
function sameValue(a: Json, b: Json, check: Check): boolean {
  const n = numericallyEqual(a, b, check);
  if (n !== undefined) return n;
  return engine()
    .box(a as never)
    .isSame(engine().box(b as never));
}

/**
 * Grades an answer span against a gold answer by meaning. Never throws. A percentage is read both ways
 * when the first reading fails ("50\%" against "\frac12", "28\%" against "0.28").
 */
export function gradeExpression(answer: string, gold: string, opts: ExpressionOptions): ExpressionVerdict {
  if (answer.length > MAX_TEXT || gold.length > MAX_TEXT)
    return { score: 0, reason: `answers and golds over ${MAX_TEXT} characters are not compared` };
  engine(); // made before the clock starts: setting it up is not part of any one check
  const check: Check = { deadline: Date.now() + CHECK_DEADLINE_MS, tolerance: opts.tolerance };
  const first = compare(answer, gold, opts.percentAsNumber, check);
  if (first.score === 1 || !/%/.test(answer + gold)) return first;
  const other = compare(answer, gold, !opts.percentAsNumber, check);
  return other.score === 1 ? other : first;
}

function compare(answer: string, gold: string, percentAsNumber: boolean, check: Check): ExpressionVerdict {
  const [a, g] = [cleanAnswer(answer, { percentAsNumber }), cleanAnswer(gold, { percentAsNumber })];
  if (textAnswer(a) === textAnswer(g) && textAnswer(g) !== '')
    return { score: 1, reason: 'same text as the gold answer' };
  const base = baseDigits(g);
  if (base?.base) return sameBaseDigits(baseDigits(a), base, a, g);
  if (isTextAnswer(gold))
    return { score: 0, reason: `the gold answer is text ("${brief(textAnswer(g))}") and "${brief(a)}" differs` };
  try {
    const pg = parse(g, check);
    if (typeof pg === 'string') return { score: 0, reason: `gold answer unreadable: ${pg}` };
    const pa = parse(a, check);
    if (typeof pa === 'string') return { score: 0, reason: `answer unreadable: ${pa}` };
    const [ja, jg] = [pa.list ? ['Set', ...args(pa.json)] : pa.json, pg.list ? ['Set', ...args(pg.json)] : pg.json];
    const equal = same(ja, jg, check) || (pa.list !== pg.list && same(pa.json, pg.json, check));
    return equal
      ? { score: 1, reason: `equal to the gold answer as mathematics (${brief(a)} = ${brief(g)})` }
      : { score: 0, reason: `${brief(a)} is not equal to the gold answer ${brief(g)}` };
  } catch (e) {
    if (e instanceof CheckTimeout || (e as Error)?.name === 'CancellationError')
      return { score: 0, reason: `gave up after ${CHECK_DEADLINE_MS} ms comparing "${brief(a)}" with "${brief(g)}"` };
    return { score: 0, reason: `could not compare: ${brief((e as Error)?.message ?? String(e))}` };
  }
}

interface BaseDigits {
  digits: string;
  base: string | null;
}

/** "2516_8", "2516_{8}", "A3_{16}", "1011_{(2)}": the digits and the base; null for anything else. */
function baseDigits(s: string): BaseDigits | null {
  const m = /^([0-9A-Za-z]+)(?:_\{?\(?(\d+)\)?\}?)?$/.exec(s.replace(/\\text\s*\{([^{}]*)\}|\s/g, '$1'));
  return m ? { digits: m[1].toUpperCase().replace(/^0+(?=.)/, ''), base: m[2] ?? null } : null;
}

/**
 * A gold in another base ("2516_8"): the answer must have the same digits, with the same base or none (the
 * question names the base); its value written in base ten is not the answer asked for.
 */
function sameBaseDigits(a: BaseDigits | null, gold: BaseDigits, answer: string, goldText: string): ExpressionVerdict {
  const equal = !!a && a.digits === gold.digits && (a.base === null || a.base === gold.base);
  return equal
    ? { score: 1, reason: `same digits in base ${gold.base} as the gold answer` }
    : { score: 0, reason: `${brief(answer)} is not ${brief(goldText)} (digits in base ${gold.base})` };
}
