// Reads a number out of an answer span the way a person would: "$1,234.50", "18 dollars", "\frac{3}{4}",
// "3/4", "-5", "10%", "\text{13}", "twelve". Pure string work: model output is never evaluated as code.
//
//   readNumbers('$1,234 and 5%')   // [{ value: 1234, ... }, { value: 5, percent: true, ... }]
//   normalizeLatex('\\dfrac{3}{4}')  // '3/4'

export interface ParsedNumber {
  value: number;
  /** Followed by % or "percent". */
  percent: boolean;
  /** The text the number was read from. */
  text: string;
  /** Commas that are not groups of three ("12,34"): not a number a careful reader accepts. */
  malformed: boolean;
}

/** LaTeX wrappers whose content is the answer: \text{13} -> 13. */
const WRAPPERS =
  /\\(?:text|textbf|textrm|textnormal|mathrm|mathbf|mbox|boxed|fbox|displaystyle|num|SI)\s*\{([^{}]*)\}/g;

/** Rewrites the LaTeX and Unicode that models put around numbers into plain text. */
export function normalizeLatex(s: string): string {
  let t = s
    .replace(/[\u2212\u2012\u2013\uFE63\uFF0D]/g, '-')
    .replace(/\{,\}|,\\!/g, ',')
    .replace(/(\d)(?:\\,|\\!|\\ |[\u202F\u2009\u00A0])(?=\d{3}(?!\d))/g, '$1,')
    .replace(/\\[dt]frac/g, '\\frac')
    .replace(/\\left|\\right|\\[,;:! ]|\\quad|\\qquad/g, ' ')
    .replace(/\\\$/g, '$')
    .replace(/\\%/g, '%')
    .replace(/\^\s*\{?\\circ\}?|°/g, '');
  for (let i = 0; i < 4 && WRAPPERS.test(t); i++) t = t.replace(WRAPPERS, '$1');
  // "2\frac{1}{2}" is the mixed number 2 1/2, not 21/2
  t = t
    .replace(/(\d)[ \t]{0,3}\\frac/g, '$1 \\frac')
    // [^{}]* stops at the first brace, so a "\frac{" with no closing brace costs one pass, not a cubic search
    .replace(/\\frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}/g, (m, num: string, den: string) =>
      num.length > 0 && den.length > 0 ? fraction(num.trim() || num, den.trim() || den) : m,
    )
    .replace(/\\frac\s*(\d)\s*(\d)/g, '$1/$2')
    // 1.8 \times 10^{4} -> 1.8e4
    .replace(
      /(\d(?:\.\d+)?)[ \t]{0,3}(?:\\times|×|\\cdot|\*|x)[ \t]{0,3}10[ \t]{0,3}\^\s*(?:\{\s*)?([-+]?\d+)\s*\}?/g,
      '$1e$2',
    );
  return t;
}

/** "3/-56" as "-3/56" (a number reader takes no sign in a denominator); "-3/-56" as "3/56". */
function fraction(num: string, den: string): string {
  if (!/^-\s*\d/.test(den)) return `${num}/${den}`;
  const d = den.slice(1).trim();
  return num.startsWith('-') ? `${num.slice(1).trim()}/${d}` : `-${num}/${d}`;
}

// sign (not after a word character, so "5-3" is 5 and 3), currency, digits with commas, decimals,
// exponent, a denominator, and a percent sign. The gaps before the digits are bounded ([ \t]{0,3}) so that
// a long run of white space cannot make the scan quadratic.
const NUMBER = new RegExp(
  String.raw`(?:(?<![\w)\]}])([-+]))?[ \t]{0,3}(?:[$€£¥₹][ \t]{0,3})?([-+])?` +
    String.raw`(\d+(?:,\d+)*(?:\.\d+)?|\.\d+)(?:[eE]([-+]?\d+)(?![\w.]))?` +
    String.raw`(?:[ \t]{0,3}/[ \t]{0,3}(\d+(?:\.\d+)?)(?![\d.,]))?([ \t]{0,3}(?:%|percent\b|per cent\b))?`,
  'g',
);

const GROUPED = /^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;

function toParsed(m: RegExpExecArray): ParsedNumber {
  const [text, sign1, sign2, digits, exp, den, pct] = m;
  const malformed = digits.includes(',') && !GROUPED.test(digits);
  let value = Number(digits.replace(/,/g, '')) * (exp ? 10 ** Number(exp) : 1);
  if (den !== undefined) value = Number(den) === 0 ? NaN : value / Number(den);
  if ((sign1 ?? sign2) === '-') value = -value;
  return { value, percent: pct !== undefined, text: text.trim(), malformed };
}

/** Every number in the text, in order (after LaTeX normalisation). */
export function readNumbers(s: string): ParsedNumber[] {
  const out: ParsedNumber[] = [];
  for (const m of normalizeLatex(s).matchAll(NUMBER)) out.push(toParsed(m));
  return out.filter((n) => Number.isFinite(n.value));
}

const UNITS = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'ten',
  'eleven',
  'twelve',
  'thirteen',
  'fourteen',
  'fifteen',
  'sixteen',
  'seventeen',
  'eighteen',
  'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

/** "twelve", "forty-two": the number words that answer lines use, below 100 (larger ones are refused). */
export function readNumberWord(s: string): ParsedNumber | null {
  const m =
    /\b(?:(minus|negative)\s+)?(?:(twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)(?:[-\s](one|two|three|four|five|six|seven|eight|nine)\b)?|(zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen))\b/i.exec(
      s,
    );
  if (!m) return null;
  const [text, neg, tens, unit, small] = m;
  const rest = s.slice(m.index + text.length);
  // "one hundred and five" needs a real parser; refusing is safer than reading 1
  if (/^[\s-]*(?:hundred|thousand|million|billion)/i.test(rest)) return null;
  let value = small
    ? UNITS.indexOf(small.toLowerCase())
    : TENS.indexOf(tens!.toLowerCase()) * 10 + (unit ? UNITS.indexOf(unit.toLowerCase()) : 0);
  if (neg) value = -value;
  return { value, percent: /^\s*(?:%|percent)/i.test(rest), text, malformed: false };
}

export interface CompareOptions {
  /** GSM8K golds are bare numbers: "10%" then equals 10. Off: "10%" equals 0.1. */
  percentAsNumber: boolean;
  /** Relative tolerance (absolute below 1). */
  tolerance: number;
}

export function numberValue(n: ParsedNumber, opts: CompareOptions): number {
  return n.percent && !opts.percentAsNumber ? n.value / 100 : n.value;
}

export function numbersEqual(a: number, b: number, tolerance: number): boolean {
  return Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(a), Math.abs(b));
}
