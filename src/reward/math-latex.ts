// Text work on a LaTeX answer before it is parsed: what a person reading the answer would ignore (dollar
// signs, \left, spacing commands, degrees, units, "x =" in a list) and what would be read differently by a
// parser (thousands separators, mixed numbers). Linear string work only: every pattern here is anchored
// or has no two adjacent unbounded repeats.
//
//   cleanAnswer('\\$1{,}250 \\text{ dollars}', { percentAsNumber: true })   // '1250'
//   textAnswer('\\text{(C)}')                                             // 'c'

export interface CleanOptions {
  /** "28\%" is 28 (true) or 0.28 (false). */
  percentAsNumber: boolean;
}

// Units and words that follow a number in an answer and do not change it ("5 cm", "90 degrees").
const UNIT_WORDS = [
  'square',
  'sq',
  'cubic',
  'units?',
  'degrees?',
  'radians?',
  'dollars?',
  'cents?',
  'percent',
  'inch(?:es)?',
  'in',
  'feet',
  'foot',
  'ft',
  'yards?',
  'yd',
  'miles?',
  'mi',
  'mph',
  'meters?',
  'metres?',
  'm',
  'cm',
  'mm',
  'km',
  'centimeters?',
  'kilometers?',
  'millimeters?',
  'seconds?',
  'sec',
  's',
  'minutes?',
  'min',
  'hours?',
  'hrs?',
  'days?',
  'weeks?',
  'months?',
  'years?',
  'grams?',
  'g',
  'kg',
  'kilograms?',
  'pounds?',
  'lbs?',
  'ounces?',
  'oz',
  'liters?',
  'litres?',
  'ml',
  'gallons?',
  'people',
  'students',
  'ways',
  'times',
  'points',
  'steps',
];
const TRAILING_UNIT = new RegExp(
  String.raw`(?<=[\d}).\s])\s*(?:\\(?:text|mbox|mathrm|textrm)\s*\{\s*)?(?:${UNIT_WORDS.join('|')})\s*\}?` +
    String.raw`(?:\s*\^\s*\{?\s*[23]\s*\}?)?\s*\.?$`,
  'i',
);

/** Removes trailing units ("5 \text{ cm}^2", "12 square units"); at most 3, each anchored at the end. */
function dropUnits(s: string): string {
  for (let i = 0; i < 3; i++) {
    const t = s.replace(TRAILING_UNIT, '').trimEnd();
    if (t === s || t.length === 0) break;
    s = t;
  }
  return s;
}

/** The answer as the Compute Engine should read it. */
export function cleanAnswer(answer: string, opts: CleanOptions): string {
  let s = answer
    .trim()
    .replace(/^\$+|\$+$/g, '')
    .replace(/^\\\[|\\\]$|^\\\(|\\\)$/g, '')
    .replace(/\\(?:displaystyle|textstyle|left|right|bigl|bigr|Bigl|Bigr|big|Big)(?![a-zA-Z])\.?/g, '')
    .replace(/\\[dt]frac(?![a-zA-Z])/g, '\\frac')
    .replace(/\\dbinom(?![a-zA-Z])/g, '\\binom')
    .replace(/\\(?:mathbb|mathbf)\s*\{\s*R\s*\}|^\\R$/g, '(-\\infty, \\infty)')
    // thousands separators: "1{,}250", "10,\!000", "1,234,567" (groups of three, no space after the comma)
    .replace(/(\d)(?:\{,\}|,\\!|,\\,)(?=\d{3})/g, '$1')
    .replace(/(?<![\d.,])(\d{1,3})((?:,\d{3})+)(?![\d,])/g, (_m, a: string, b: string) => a + b.replace(/,/g, ''))
    // spacing commands, but not the second backslash of a row break (two backslashes)
    .replace(/\\\\|\\[,;:! ]|\\q?quad(?![a-zA-Z])|~/g, (m) => (m === '\\\\' ? m : ' '))
    .replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ(?![a-zA-Z])|°|\\degree(?![a-zA-Z])/g, '')
    .replace(/\\\$/g, '')
    .trim();
  s = opts.percentAsNumber ? s.replace(/\\?%/g, '') : s.replace(/\\?%/g, '\\%');
  s = dropUnits(s.replace(/\.$/, '').trim());
  // "2\frac{1}{2}" is the mixed number 2 1/2 (a parser reads a product)
  s = s.replace(
    /(^|[\s=(,])(-?)(\d+)\s*\\frac\s*\{(\d+)\}\s*\{(\d+)\}/g,
    (_m, pre: string, sign: string, w: string, n: string, d: string) => `${pre}${sign}(${w}+\\frac{${n}}{${d}})`,
  );
  // "1 and 2", "1 \text{ or } 2": a list
  s = s.replace(/\\(?:text|mbox|textrm)\s*\{\s*(?:and|or)\s*\}|\s+(?:and|or)\s+/g, ', ');
  return s.trim();
}

/** The answer as comparable text: no markup, spacing or case; "(C)" as "c". */
export function textAnswer(s: string): string {
  let t = s
    .replace(/\\(?:text|textbf|textit|textrm|mathrm|mathbf|mathit|mbox|textnormal|operatorname)\s*\{([^{}]*)\}/g, '$1')
    .replace(/\\\\|\\(?:left|right|displaystyle)(?![a-zA-Z])|\\[,;:! ]|[\s$~]/g, (m) => (m === '\\\\' ? m : ''))
    .replace(/\\[dt]frac/g, '\\frac')
    .replace(/\.$/, '')
    .toLowerCase();
  const choice = /^\(([a-z])\)$/.exec(t);
  if (choice) t = choice[1];
  return t;
}

/**
 * Whether a gold answer is words rather than mathematics: "\text{Evelyn}", "(C)", "yes". Such a gold is
 * compared as text only, so that a parser cannot read "Evelyn" as a product of six variables.
 */
export function isTextAnswer(gold: string): boolean {
  const g = gold.trim().replace(/^\$+|\$+$/g, '');
  const wrapped = /^\\(?:text|textbf|mathrm|mbox|textnormal)\s*\{([^{}]*)\}$/.exec(g);
  const inner = (wrapped ? wrapped[1] : g).trim();
  if (/^\(?[A-Ea-e]\)?$/.test(inner) && (wrapped || inner.startsWith('('))) return true;
  if (wrapped) return !/^[-+\d., ]+$/.test(inner);
  return (
    /^[A-Za-z][A-Za-z ,'-]{2,}$/.test(inner) && !/\\/.test(inner) && /[a-z]{3}/i.test(inner) && !/[=^]/.test(inner)
  );
}

/** Nesting depth of braces, brackets and parentheses (unbalanced text counts what it opens). */
export function nestingDepth(s: string): number {
  let depth = 0,
    most = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 123 || c === 40 || c === 91) most = Math.max(most, ++depth);
    else if (c === 125 || c === 41 || c === 93) depth = Math.max(0, depth - 1);
  }
  return most;
}

/** Whether the answer is written inside one pair of parentheses: "(1, 2)" (a tuple) but not "(1)+(2)". */
export function wrappedInParens(s: string): boolean {
  const t = s.trim();
  if (!t.startsWith('(') || !t.endsWith(')')) return false;
  let depth = 0;
  for (let i = 0; i < t.length; i++) {
    if (t[i] === '(') depth++;
    else if (t[i] === ')' && --depth === 0 && i < t.length - 1) return false;
  }
  return true;
}
