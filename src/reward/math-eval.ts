// Numeric evaluation of MathJSON (the tree the Compute Engine parses LaTeX into) in complex floating point,
// and equivalence of two expressions by evaluating both at the same pseudo-random points. Hand-written
// rather than the engine's own `N()`: the engine evaluates exactly (a `100000!` in a completion took 12 s),
// while this walks the tree once per point in doubles, with a node budget and a deadline, so no input can
// make it slow. Anything it does not know (a function `f(x)`, a sum) makes the value unknown, not wrong.
//
//   numericallyEqual(['Power', ['Add', 'x', 1], 2], ['Add', ['Power', 'x', 2], ['Multiply', 2, 'x'], 1], check)
//   // true

export interface Complex {
  re: number;
  im: number;
}

/** One check's limits: a wall-clock deadline (Date.now() ms) and the relative tolerance. */
export interface Check {
  deadline: number;
  tolerance: number;
}

export class CheckTimeout extends Error {
  readonly name = 'CheckTimeout';
}

const C = (re: number, im = 0): Complex => ({ re, im });
const NAN = C(NaN);
const CONSTANTS: Record<string, Complex> = {
  Pi: C(Math.PI),
  ExponentialE: C(Math.E),
  ImaginaryUnit: C(0, 1),
  PositiveInfinity: C(Infinity),
  NegativeInfinity: C(-Infinity),
  Half: C(0.5),
};

const add = (a: Complex, b: Complex) => C(a.re + b.re, a.im + b.im);
const mul = (a: Complex, b: Complex) =>
  a.im === 0 && b.im === 0 ? C(a.re * b.re) : C(a.re * b.re - a.im * b.im, a.re * b.im + a.im * b.re);
function div(a: Complex, b: Complex): Complex {
  if (a.im === 0 && b.im === 0) return C(a.re / b.re);
  const d = b.re * b.re + b.im * b.im;
  return C((a.re * b.re + a.im * b.im) / d, (a.im * b.re - a.re * b.im) / d);
}
const exp = (a: Complex) => C(Math.exp(a.re) * Math.cos(a.im), a.im === 0 ? 0 : Math.exp(a.re) * Math.sin(a.im));
const log = (a: Complex) =>
  a.im === 0 && a.re > 0 ? C(Math.log(a.re)) : C(Math.log(Math.hypot(a.re, a.im)), Math.atan2(a.im, a.re));
function pow(a: Complex, b: Complex): Complex {
  if (a.im === 0 && b.im === 0 && (a.re >= 0 || Number.isInteger(b.re))) return C(Math.pow(a.re, b.re));
  if (a.re === 0 && a.im === 0) return C(0);
  return exp(mul(b, log(a)));
}
/** The real n-th root of a negative real for odd n (\sqrt[3]{-8} = -2), else the principal one. */
function root(a: Complex, n: Complex): Complex {
  if (a.im === 0 && n.im === 0 && a.re < 0 && Number.isInteger(n.re) && n.re % 2 !== 0)
    return C(-Math.pow(-a.re, 1 / n.re));
  return pow(a, div(C(1), n));
}
const sin = (a: Complex) => C(Math.sin(a.re) * Math.cosh(a.im), Math.cos(a.re) * Math.sinh(a.im));
const cos = (a: Complex) => C(Math.cos(a.re) * Math.cosh(a.im), -Math.sin(a.re) * Math.sinh(a.im));
/** Functions of real arguments only (a complex argument gives NaN: unknown, not wrong). */
const real = (f: (x: number) => number) => (a: Complex) => (a.im === 0 ? C(f(a.re)) : NAN);

function factorial(x: number): number {
  if (!Number.isInteger(x) || x < 0) return NaN;
  if (x > 170) return Infinity;
  let r = 1;
  for (let i = 2; i <= x; i++) r *= i;
  return r;
}

const UNARY: Record<string, (a: Complex) => Complex> = {
  Negate: (a) => C(-a.re, -a.im),
  Sqrt: (a) => (a.im === 0 && a.re < 0 ? C(0, Math.sqrt(-a.re)) : pow(a, C(0.5))),
  Square: (a) => mul(a, a),
  Exp: exp,
  Ln: log,
  Lb: (a) => div(log(a), C(Math.LN2)),
  Lg: (a) => div(log(a), C(Math.LN10)),
  Sin: sin,
  Cos: cos,
  Tan: (a) => div(sin(a), cos(a)),
  Cot: (a) => div(cos(a), sin(a)),
  Sec: (a) => div(C(1), cos(a)),
  Csc: (a) => div(C(1), sin(a)),
  Arcsin: real(Math.asin),
  Arccos: real(Math.acos),
  Arctan: real(Math.atan),
  Sinh: real(Math.sinh),
  Cosh: real(Math.cosh),
  Tanh: real(Math.tanh),
  Abs: (a) => C(Math.hypot(a.re, a.im)),
  Floor: real(Math.floor),
  Ceil: real(Math.ceil),
  Factorial: real(factorial),
  Real: (a) => C(a.re),
  Imaginary: (a) => C(a.im),
};

/** A binomial with more factors than this exceeds any double (C(2m, m) > 4^m / (2m + 1) > 10^600). */
const BINOMIAL_LOOP = 1_000;

function binomial(n: number, k: number): number {
  if (!Number.isInteger(n) || !Number.isInteger(k) || k < 0 || k > n) return k > n ? 0 : NaN;
  const m = Math.min(k, n - k);
  // (not a loop of m steps: \binom{10^9}{5 \cdot 10^8} took 18 s, deaf to the check's deadline)
  if (m > BINOMIAL_LOOP) return Infinity;
  let r = 1;
  for (let i = 1; i <= m; i++) r = (r * (n - m + i)) / i;
  return Math.round(r);
}

/** Budget and bindings of one evaluation. */
interface Env {
  vars: Record<string, Complex>;
  nodes: number;
  check: Check;
}

const MAX_NODES = 20_000;

/** The value of a MathJSON expression, NaN where it is unknown (an unknown function, a string). */
export function evaluate(e: unknown, env: Env): Complex {
  if (++env.nodes > MAX_NODES || (env.nodes % 256 === 0 && Date.now() > env.check.deadline))
    throw new CheckTimeout('evaluation budget spent');
  if (typeof e === 'number') return C(e);
  if (typeof e === 'string') return env.vars[e] ?? CONSTANTS[e] ?? NAN;
  if (e !== null && typeof e === 'object' && !Array.isArray(e)) {
    const num = (e as { num?: unknown }).num;
    return typeof num === 'string' ? C(Number(num.replace(/[()]/g, ''))) : NAN;
  }
  if (!Array.isArray(e) || typeof e[0] !== 'string') return NAN;
  const [head, ...args] = e as [string, ...unknown[]];
  const v = (i: number) => evaluate(args[i], env);
  if (UNARY[head] && args.length === 1) return UNARY[head](v(0));
  switch (head) {
    case 'Add':
      return args.reduce<Complex>((s, _a, i) => add(s, v(i)), C(0));
    case 'Multiply':
      return args.reduce<Complex>((s, _a, i) => mul(s, v(i)), C(1));
    case 'Subtract':
      return args.length === 2 ? add(v(0), mul(C(-1), v(1))) : NAN;
    case 'Divide':
    case 'Rational':
      return args.length === 2 ? div(v(0), v(1)) : NAN;
    case 'Complex':
      return args.length === 2 ? add(v(0), mul(C(0, 1), v(1))) : NAN;
    case 'Power':
      return args.length === 2 ? pow(v(0), v(1)) : NAN;
    case 'Root':
      return args.length === 2 ? root(v(0), v(1)) : NAN;
    case 'Log':
      return args.length === 1 ? div(log(v(0)), C(Math.LN10)) : args.length === 2 ? div(log(v(0)), log(v(1))) : NAN;
    case 'Binomial':
    case 'Choose': {
      const [n, k] = [v(0), v(1)];
      return n.im === 0 && k.im === 0 ? C(binomial(n.re, k.re)) : NAN;
    }
    case 'Max':
    case 'Min': {
      const xs = args.map((_a, i) => v(i));
      if (xs.some((x) => x.im !== 0)) return NAN;
      return C((head === 'Max' ? Math.max : Math.min)(...xs.map((x) => x.re)));
    }
    default:
      return NAN;
  }
}

const NOT_VARIABLES = new Set([...Object.keys(CONSTANTS), 'Nothing', 'ComplexInfinity', 'NaN']);

/** The free variables of an expression: symbols that are not constants, in sorted order. */
export function freeVariables(e: unknown, out = new Set<string>()): Set<string> {
  if (typeof e === 'string') {
    if (!NOT_VARIABLES.has(e) && !e.startsWith("'")) out.add(e);
  } else if (Array.isArray(e)) for (const a of e.slice(1)) freeVariables(a, out);
  return out;
}

const isFinite = (z: Complex) => Number.isFinite(z.re) && Number.isFinite(z.im);
const INFINITIES = new Set(['PositiveInfinity', 'NegativeInfinity', 'ComplexInfinity']);

function mentionsInfinity(e: unknown): boolean {
  return typeof e === 'string' ? INFINITIES.has(e) : Array.isArray(e) && e.some(mentionsInfinity);
}

export function close(a: Complex, b: Complex, tolerance: number): boolean {
  if (!Number.isFinite(a.re) || !Number.isFinite(b.re))
    return a.re === b.re && Math.abs(a.im - b.im) <= tolerance && !Number.isNaN(a.re);
  const scale = Math.max(1, Math.hypot(a.re, a.im), Math.hypot(b.re, b.im));
  return Math.hypot(a.re - b.re, a.im - b.im) <= tolerance * scale;
}

/** A fixed sequence of points in [0.3, 2.7] (positive: roots and logarithms stay real); mulberry32. */
function points(n: number, vars: string[]): Record<string, Complex>[] {
  let seed = 0x9e3779b9;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: n }, () => Object.fromEntries(vars.map((x) => [x, C(0.3 + 2.4 * rand())])));
}

/**
 * Whether two expressions take the same values: once when they have no variables, else at 8 points shared
 * by both (at least 3 must give finite values on both sides). undefined when it cannot tell.
 */
export function numericallyEqual(a: unknown, b: unknown, check: Check): boolean | undefined {
  const vars = [...new Set([...freeVariables(a), ...freeVariables(b)])].sort();
  if (vars.length > 8) return undefined;
  // an infinite value is only a value where the expression says \infty: 10^{400} overflows, as does 10^{500}
  const [infA, infB] = [mentionsInfinity(a), mentionsInfinity(b)];
  let valid = 0;
  for (const p of points(vars.length === 0 ? 1 : 8, vars)) {
    const x = evaluate(a, { vars: p, nodes: 0, check });
    const y = evaluate(b, { vars: p, nodes: 0, check });
    if (Number.isNaN(x.re) || Number.isNaN(y.re) || Number.isNaN(x.im) || Number.isNaN(y.im)) continue;
    if ((!infA && !isFinite(x)) || (!infB && !isFinite(y))) continue;
    if (!close(x, y, check.tolerance)) return false;
    valid++;
  }
  const need = vars.length === 0 ? 1 : 3;
  return valid >= need ? true : undefined;
}
