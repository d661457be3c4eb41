// The math reward: 1 when the completion's final answer equals the gold answer, else 0, with what was
// extracted, by which rule, and why it scored as it did (the UI and `webgrpo reward math` show it). A gold
// that is a plain number ("18", "1,234", "3/4", "10%") is compared as a number, as GSM8K needs; any other
// gold ("\frac{\sqrt{3}}{2}", "[0, 1)", "\{1, 2\}", "x^2+1", "\text{Evelyn}") by meaning (math-expr.ts), and
// so is an answer with mathematics in it ("5\sqrt{2}") even against a number.
//
//   gradeMath('so she makes $18 a day.\n#### 18', '18')      // math.ts
//   // { score: 1, rule: 'hash', extracted: '18', value: 18, gold: 18, reason: 'equal to the gold answer' }
//
// This module grades with the expression grader it is given and does not import it: the Compute Engine
// behind it is 3.4 MB of code, which `webgrpo reward math` loads only when a gold or an answer needs it
// (math.ts passes the real one; src/cli/reward-math.ts a stand-in that asks for it).
// Options (reward options in the run config, schema in options.ts): mode (auto, number or expression),
// strict (only explicit answer markers count, no last-number fallback), percent_as_number (default true:
// "10%" equals a gold of 10, as GSM8K's golds are bare numbers), tolerance (relative, default 1e-6),
// answer_field (the row column with the gold answer).
import { extractAnswer, goldAnswer, type Extracted, type ExtractRule } from './math-extract.ts';
import type { ExpressionOptions, ExpressionVerdict } from './math-expr.ts';
import type { MathMode } from './options.ts';
import {
  numbersEqual,
  numberValue,
  readNumbers,
  readNumberWord,
  normalizeLatex,
  type CompareOptions,
  type ParsedNumber,
} from './math-number.ts';

export interface MathOptions {
  /** number: as a number (text for a non-number gold); expression: by meaning; auto: number for plain-number golds. */
  mode: MathMode;
  strict: boolean;
  percentAsNumber: boolean;
  tolerance: number;
}

export const DEFAULT_MATH_OPTIONS: MathOptions = {
  mode: 'auto',
  strict: false,
  percentAsNumber: true,
  tolerance: 1e-6,
};

export interface MathVerdict {
  score: 0 | 1;
  rule: ExtractRule | null;
  /** The answer span that was read (for last_number: the number itself). */
  extracted: string | null;
  value: number | null;
  gold: number | string;
  reason: string;
}

/** The single number an answer span states, or why it states none. */
function spanNumber(span: string, rule: ExtractRule): ParsedNumber | string {
  if (rule === 'last_number') {
    const all = readNumbers(span).filter((n) => !n.malformed);
    return all.length > 0 ? all[all.length - 1] : 'no number in the completion';
  }
  // "5 + 3 = 8 apples": the stated result follows the last "="
  const rhs = mixedToDecimal(span.includes('=') ? span.slice(span.lastIndexOf('=') + 1) : span);
  const nums = readNumbers(rhs);
  if (nums.length === 0) return readNumberWord(rhs) ?? `no number in "${span}"`;
  if (nums[0].malformed) return `"${nums[0].text}" has thousands separators that are not groups of three`;
  // "7 or 8" hedges; inside \boxed{} so does a list ("7, 8" or "7 and 8")
  const joiner = rule === 'boxed' ? /\bor\b|\band\b|,\s/i : /\bor\b/i;
  const hedge = nums.find(
    (n, i) => i > 0 && n.value !== nums[0].value && joiner.test(rhs.slice(0, rhs.indexOf(n.text, nums[0].text.length))),
  );
  if (hedge) return `hedged answer "${rhs.trim()}" names more than one number`;
  return nums[0];
}

/** "2 1/2" (also from 2\frac{1}{2}) as 2.5, so that a mixed number is read as one number. */
function mixedToDecimal(span: string): string {
  return normalizeLatex(span).replace(
    /(?<![\w.,])(-?)(\d+) (\d+)\/(\d+)(?![\d.,])/g,
    (m, sign: string, whole: string, num: string, den: string) =>
      Number(num) < Number(den) && Number(den) > 0 ? `${sign}${Number(whole) + Number(num) / Number(den)}` : m,
  );
}

/** The gold answer as a number when it is one, else its normalised text. */
export function parseGold(gold: string, opts: CompareOptions): number | string {
  const g = goldAnswer(gold);
  const nums = readNumbers(g);
  if (nums.length === 1 && !nums[0].malformed) return numberValue(nums[0], opts);
  return normalizedText(g);
}

function normalizedText(s: string): string {
  return normalizeLatex(s).replace(/[\s$]/g, '').replace(/\.$/, '').toLowerCase();
}

/** Completions are read up to this many characters (about 25,000 tokens); the rest is cut, with a reason. */
export const MAX_COMPLETION_CHARS = 100_000;
/** An answer span (a \boxed{}, a "####" or "Answer:" line) longer than this is not read as an answer. */
export const MAX_SPAN_CHARS = 1_000;
/** The verdict's `extracted` is shortened to this many characters (it is shown, not re-read). */
const SHOWN_CHARS = 200;

function shown(s: string): string {
  return s.length > SHOWN_CHARS ? `${s.slice(0, SHOWN_CHARS)}…` : s;
}

/** math-expr.ts's gradeExpression, or a stand-in for it. */
export type ExpressionGrader = (answer: string, gold: string, opts: ExpressionOptions) => ExpressionVerdict;

export function gradeMathWith(
  expr: ExpressionGrader,
  completion: string,
  gold: string,
  options: Partial<MathOptions> = {},
): MathVerdict {
  const opts = { ...DEFAULT_MATH_OPTIONS, ...options };
  const cut = completion.length > MAX_COMPLETION_CHARS;
  const v = gradeText(expr, cut ? completion.slice(0, MAX_COMPLETION_CHARS) : completion, gold, opts);
  const extracted = v.extracted === null ? null : shown(v.extracted);
  const reason = cut
    ? `${v.reason} (completion of ${completion.length} characters: only its first ${MAX_COMPLETION_CHARS} were read)`
    : v.reason;
  return { ...v, extracted, reason };
}

function gradeText(expr: ExpressionGrader, completion: string, gold: string, opts: MathOptions): MathVerdict {
  const goldValue = parseGold(gold.slice(0, MAX_COMPLETION_CHARS), opts);
  const ex = extractAnswer(completion, opts.strict);
  if (!ex)
    return {
      score: 0,
      rule: null,
      extracted: null,
      value: null,
      gold: goldValue,
      reason: 'no explicit final answer (strict mode: \\boxed{}, ####, "the answer is" or an "Answer:" line)',
    };
  const base = { rule: ex.rule, extracted: ex.text, value: null, gold: goldValue };
  if (ex.rule !== 'last_number' && ex.text.length > MAX_SPAN_CHARS)
    return {
      score: 0,
      ...base,
      reason: `the answer is ${ex.text.length} characters long; answers over ${MAX_SPAN_CHARS} are not read`,
    };
  const goldText = goldAnswer(gold.slice(0, MAX_COMPLETION_CHARS));
  if (byMeaning(opts.mode, goldText, ex)) return gradeByMeaning(expr, ex, goldText, opts);
  if (typeof goldValue === 'string') {
    const same = normalizedText(ex.text) === goldValue;
    return {
      score: same ? 1 : 0,
      ...base,
      reason: same ? 'same text as the gold answer' : 'gold answer is not a number and the text differs',
    };
  }
  const n = spanNumber(ex.text, ex.rule);
  const extracted = ex.rule === 'last_number' && typeof n !== 'string' ? n.text : ex.text;
  if (typeof n === 'string') return { score: 0, ...base, extracted, reason: n };
  // with percent_as_number a percentage is read both ways: "50%" is 50 (GSM8K's bare-number golds) and 0.5
  // (a gold of 0.5 or \frac12); without it, only 0.5
  const other = n.percent && opts.percentAsNumber ? n.value / 100 : NaN;
  const value = numbersEqual(other, goldValue, opts.tolerance) ? other : numberValue(n, opts);
  const equal = numbersEqual(value, goldValue, opts.tolerance);
  return {
    score: equal ? 1 : 0,
    ...base,
    extracted,
    value,
    reason: equal ? 'equal to the gold answer' : `${value} is not ${goldValue}`,
  };
}

/** "18", "-1,234.5", "3/4" (also \frac{3}{4}), "$5": a gold that GSM8K-style number grading reads. */
export function isPlainNumber(gold: string): boolean {
  // (inner spaces kept: "1 1/2", from 1\frac{1}{2}, is a mixed number, not 11/2)
  const t = normalizeLatex(gold).replace(/\$/g, '').trim().replace(/\.$/, '');
  return /^[-+]?(?:\d{1,3}(?:,\d{3})+|\d+|(?=\.\d))(?:\.\d+)?$/.test(t) || /^[-+]?\d+\/\d+$/.test(t);
}

// Mathematics that number grading would misread: "5\sqrt{2}" is not 5, "2x" is not 2.
const SYMBOLIC =
  /\\(?:sqrt|pi|infty|sin|cos|tan|cot|sec|csc|log|ln|exp|begin|cup|cap|pm|mp|binom|le|ge|neq|overline)(?![a-z])|\^|\d\s*!|\\\{|\\frac\s*\{[^{}]*[^\d\s{}.,-]|\d\s*[a-z](?![a-z])/i;

function byMeaning(mode: MathMode, goldText: string, ex: Extracted): boolean {
  if (mode !== 'auto') return mode === 'expression';
  return !isPlainNumber(goldText) || (ex.rule !== 'last_number' && SYMBOLIC.test(ex.text));
}

/** "therefore $x = 5$": the last $...$ of a span that has words around its mathematics. */
function lastInlineMath(span: string): string {
  const m = /(?<!\\)\$([^$]+)(?<!\\)\$[^$]*$/.exec(span);
  return m && /[a-z]{3}/i.test(span.replace(/\$[^$]*\$/g, '')) ? m[1].trim() : span;
}

function gradeByMeaning(expr: ExpressionGrader, ex: Extracted, goldText: string, opts: MathOptions): MathVerdict {
  let span = ex.text;
  if (ex.rule === 'last_number') {
    const nums = readNumbers(ex.text).filter((n) => !n.malformed);
    if (nums.length === 0)
      return { score: 0, rule: ex.rule, extracted: null, value: null, gold: goldText, reason: 'no answer found' };
    span = nums[nums.length - 1].text;
  }
  const { score, reason } = expr(lastInlineMath(span), goldText, opts);
  return { score, rule: ex.rule, extracted: span, value: null, gold: goldText, reason };
}

export class MathOptionError extends Error {
  readonly name = 'MathOptionError';
}

/** Reads reward options from the run config (snake_case keys), rejecting wrong types with a clear message. */
export function mathOptions(o: Record<string, unknown>): Partial<MathOptions> {
  const out: Partial<MathOptions> = {};
  if (o.mode !== undefined) {
    if (o.mode !== 'auto' && o.mode !== 'number' && o.mode !== 'expression')
      throw new MathOptionError(
        `math reward option mode must be "auto", "number" or "expression", got ${JSON.stringify(o.mode)}`,
      );
    out.mode = o.mode;
  }
  for (const [key, prop] of [
    ['strict', 'strict'],
    ['percent_as_number', 'percentAsNumber'],
  ] as const) {
    if (o[key] === undefined) continue;
    if (typeof o[key] !== 'boolean')
      throw new MathOptionError(`math reward option ${key} must be true or false, got ${JSON.stringify(o[key])}`);
    out[prop] = o[key];
  }
  if (o.tolerance !== undefined) {
    if (typeof o.tolerance !== 'number' || !(o.tolerance >= 0))
      throw new MathOptionError(
        `math reward option tolerance must be a number >= 0, got ${JSON.stringify(o.tolerance)}`,
      );
    out.tolerance = o.tolerance;
  }
  return out;
}

/** The gold answer of a dataset row: options.answer_field, else "answer", else "ground_truth". */
export function rowGold(row: Record<string, unknown>, options: Record<string, unknown>): string | null {
  const field = typeof options.answer_field === 'string' ? options.answer_field : undefined;
  const v = field ? row[field] : (row.answer ?? row.ground_truth);
  return v === undefined || v === null ? null : String(v);
}
