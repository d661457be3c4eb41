// Inequalities and set differences as the intervals they describe, so that "x \ge 3" is graded against a
// gold of [3, \infty), "-1 \le x < 1" against [-1, 1) and "x \neq 0" or "\mathbb{R} \setminus \{0\}"
// against (-\infty, 0) \cup (0, \infty). Works on the Compute Engine's MathJSON; math-expr.ts compares.
//
//   relationInterval(['LessEqual', 3, 'x'])   // ['Interval', 3, ['Open', 'PositiveInfinity']]
import { evaluate, freeVariables } from './math-eval.ts';

type Json = unknown;

const head = (e: Json): string | null => (Array.isArray(e) && typeof e[0] === 'string' ? e[0] : null);
const args = (e: Json): Json[] => (Array.isArray(e) ? e.slice(1) : []);

const ORDERS = ['Less', 'LessEqual', 'Greater', 'GreaterEqual'];
const isConstant = (e: Json) => freeVariables(e).size === 0;

/**
 * An inequality in one variable as the interval it describes, else null: "x \ge 3" is [3, \infty) (the
 * engine writes it LessEqual(3, x)); "-1 < x < 1" (Less(-1, x, 1)) is (-1, 1); "-1 \le x < 1" (an And of
 * two one-sided relations) is [-1, 1).
 */
export function relationInterval(e: Json): Json | null {
  const h = head(e);
  if (h === 'And' && args(e).length === 2) {
    const [p, q] = args(e).map(relationInterval);
    return p && q ? intersectRays(p, q) : null;
  }
  if (h === 'NotEqual' || h === 'SetMinus') return punctured(e);
  if (!h || !ORDERS.includes(h)) return null;
  const xs = h.startsWith('Greater') ? [...args(e)].reverse() : args(e);
  const end = (x: Json) => (h === 'Less' || h === 'Greater' ? ['Open', x] : x);
  if (xs.length === 3) {
    const [l, v, r] = xs;
    return typeof v === 'string' && isConstant(l) && isConstant(r) ? ['Interval', end(l), end(r)] : null;
  }
  if (xs.length !== 2) return null;
  const [l, r] = xs;
  if (typeof r === 'string' && isConstant(l)) return ['Interval', end(l), ['Open', 'PositiveInfinity']];
  if (typeof l === 'string' && isConstant(r)) return ['Interval', ['Open', 'NegativeInfinity'], end(r)];
  return null;
}

/** [a, \infty) and (-\infty, b) as [a, b); null unless one ray is bounded below and the other above. */
function intersectRays(p: Json, q: Json): Json | null {
  const unbounded = (x: Json) => head(x) === 'Open' && /Infinity$/.test(String(args(x)[0]));
  const [lo, hi] = unbounded(args(p)[0]) ? [q, p] : [p, q];
  const [l, u] = [args(lo)[0], args(hi)[1]];
  return unbounded(l) || unbounded(u) || !unbounded(args(lo)[1]) || !unbounded(args(hi)[0]) ? null : ['Interval', l, u];
}

const WHOLE_LINE = ['Interval', ['Open', 'NegativeInfinity'], ['Open', 'PositiveInfinity']];
const isWholeLine = (e: Json) => e === 'RealNumbers' || JSON.stringify(e) === JSON.stringify(WHOLE_LINE);

/** The real line less some points ("x \neq 0", "\mathbb{R} \setminus \{0, 1\}") as a union of open intervals. */
function punctured(e: Json): Json | null {
  const [l, r] = args(e);
  let points: Json[];
  if (head(e) === 'NotEqual') points = typeof l === 'string' && isConstant(r) ? [r] : [];
  else points = isWholeLine(l) && head(r) === 'Set' ? args(r).filter(isConstant) : [];
  if (points.length === 0 || (head(e) === 'SetMinus' && points.length !== args(r).length)) return null;
  const check = { deadline: Date.now() + 100, tolerance: 0 };
  const value = (x: Json) => evaluate(x, { vars: {}, nodes: 0, check });
  const sorted = points.map((x) => ({ x, v: value(x) })).sort((p, q) => p.v.re - q.v.re);
  if (sorted.some((p) => !Number.isFinite(p.v.re) || p.v.im !== 0)) return null;
  const ends = ['NegativeInfinity', ...sorted.map((p) => p.x), 'PositiveInfinity'];
  return ['Union', ...ends.slice(1).map((x, i) => ['Interval', ['Open', ends[i]], ['Open', x]])];
}
