// Finds the final answer in a completion. Rules are tried in order and the first that matches wins; within
// a rule the last occurrence wins (models often revise themselves: "\boxed{70}... wait, \boxed{72}").
//
//   boxed        the last complete \boxed{...} (nested braces) or \fbox{...}
//   hash         GSM8K's "#### 72"
//   answer_is    "the answer is 72", "the final answer is: $72$"
//   answer_line  a line starting "Answer:", "Final answer:" or "A:", or a "Final Answer" heading
//   last_number  the last number anywhere (off in strict mode: only explicit markers count)
//
//   extractAnswer('So 9 * 2 = 18.\n#### 18', false)   // { rule: 'hash', text: '18' }

export type ExtractRule = 'boxed' | 'hash' | 'answer_is' | 'answer_line' | 'last_number';

export interface Extracted {
  rule: ExtractRule;
  /** The answer span, before any number is read from it. */
  text: string;
}

/** Where a complete \boxed{...} / \fbox{...} ends, with its contents. */
interface BoxedSpan {
  text: string;
  end: number;
}

/** Every complete \boxed{...} / \fbox{...}, in order; an unclosed one (truncated) is skipped. One pass. */
function boxedSpans(s: string): BoxedSpan[] {
  const out: BoxedSpan[] = [];
  const re = /\\(?:boxed|fbox)\s*(\{|[^\s{])/g;
  const token = /[^\s$]+/y;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    if (m[1] !== '{') {
      // "\boxed 5": the argument is the next token (and the scan resumes after it)
      token.lastIndex = m.index + m[0].length - 1;
      const tok = token.exec(s);
      if (tok) out.push({ text: tok[0], end: token.lastIndex });
      re.lastIndex = Math.max(re.lastIndex, token.lastIndex);
      continue;
    }
    const start = m.index + m[0].length;
    let depth = 1,
      i = start;
    for (; i < s.length && depth > 0; i++) {
      if (s[i] === '{') depth++;
      else if (s[i] === '}') depth--;
    }
    if (depth === 0) out.push({ text: s.slice(start, i - 1), end: i });
    re.lastIndex = Math.max(re.lastIndex, i);
  }
  return out;
}

/** Contents of every complete \boxed{...} / \fbox{...}, in order; an unclosed one (truncated) is skipped. */
export function boxedContents(s: string): string[] {
  return boxedSpans(s).map((b) => b.text);
}

function lastMatch(s: string, re: RegExp): RegExpExecArray | null {
  let last: RegExpExecArray | null = null;
  for (const m of s.matchAll(re)) last = m;
  return last;
}

/** Cuts an answer span at the end of its sentence: "72. Check: 8 * 9 = 72" -> "72". */
export function firstSentence(span: string): string {
  const end = /\.(?=\s|$)|;|\n/.exec(span);
  return (end ? span.slice(0, end.index) : span).trim();
}

// "answer is" may be followed by ":" and markdown emphasis; "\n" ends it.
const ANSWER_IS = /\banswer\s+(?:is|was|would be|will be|=)\s*(?:[:：]\s*)?(?:\*\*\s*)?([^\n]*)/gi;
// (one \s* before the optional "**", not two around it: two would let a long run of spaces be split in
// quadratically many ways before the colon fails to match)
const ANSWER_LINE = /^[ \t>#*_-]*(?:(?:final\s+)?answer|A)\s*(?:\*\*\s*)?[:：]\s*(?:\*\*)?([^\n]*)$/gim;
// GSM8K's "#### 72", but not a markdown heading ("#### Step 1", "#### 2. Costs"): the answer starts
// like a number, and a numbered heading is refused.
const HASH = /####[ \t]*(?!\d+\.[ \t]+[A-Za-z])([-+\u2212$€£¥₹.\d\\][^\n]*)/g;
// a "Final Answer" heading with the answer on the next non-empty line
const ANSWER_HEADING = /^[ \t>#*_-]*(?:final\s+)?answer[ \t*_]*\n(?:[ \t]*\n)*[ \t]*([^\n]+)/gim;

function markerSpan(text: string, re: RegExp): string | null {
  const m = lastMatch(text, re);
  if (!m) return null;
  const span = firstSentence(m[1].replace(/\*\*/g, ''));
  return span.length > 0 ? span : null;
}

/**
 * Base models often answer and then invent the next exercise ("#### 18\n\nQuestion: ... #### 25"). The
 * completion is cut where a new question starts, but only after an explicit answer, so that a completion
 * that restates its own question first keeps its answer. Linear: the end of the first explicit answer is
 * found once, then the first new question after it.
 */
export function cutAtNewQuestion(text: string): string {
  const answerEnd = firstMarkedEnd(text);
  if (answerEnd === Infinity) return text;
  for (const m of text.matchAll(/\n[ \t]*(?:Q|Question|Problem)[ \t]*\d*[ \t]*[:：.]/g))
    if (m.index >= answerEnd) return text.slice(0, m.index);
  return text;
}

/** Where the first explicit answer (a rule of findMarked with a non-empty span) ends; Infinity if none. */
function firstMarkedEnd(text: string): number {
  let end = boxedSpans(text)[0]?.end ?? Infinity;
  for (const re of [HASH, ANSWER_IS, ANSWER_LINE, ANSWER_HEADING]) {
    for (const m of text.matchAll(re)) {
      if (m.index >= end) break;
      if (firstSentence(m[1].replace(/\*\*/g, '')).length > 0) {
        end = Math.min(end, m.index + m[0].length);
        break;
      }
    }
  }
  return end;
}

function findMarked(text: string): Extracted | null {
  const boxed = boxedContents(text);
  if (boxed.length > 0) return { rule: 'boxed', text: boxed[boxed.length - 1].trim() };
  const hash = markerSpan(text, HASH);
  if (hash !== null) return { rule: 'hash', text: hash };
  const is = markerSpan(text, ANSWER_IS);
  if (is !== null) return { rule: 'answer_is', text: is };
  const line = markerSpan(text, ANSWER_LINE) ?? markerSpan(text, ANSWER_HEADING);
  return line !== null ? { rule: 'answer_line', text: line } : null;
}

/** The final answer of a completion and the rule that found it, or null when none applies. */
export function extractAnswer(completion: string, strict: boolean): Extracted | null {
  const text = cutAtNewQuestion(completion);
  const marked = findMarked(text);
  if (marked) return marked;
  if (strict) return null;
  return { rule: 'last_number', text };
}

/** The gold answer as a bare string: GSM8K's solution text is reduced to what follows "####". */
export function goldAnswer(gold: string): string {
  const boxed = boxedContents(gold);
  if (boxed.length > 0) return boxed[boxed.length - 1].trim();
  const hash = lastMatch(gold, HASH);
  if (hash) return hash[1].trim();
  const line = lastMatch(gold, ANSWER_LINE);
  return line ? line[1].trim() : gold.trim();
}
