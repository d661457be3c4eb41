// The format reward: 1 when the completion states its final answer in the requested form, else 0. Weighted
// separately from correctness (e.g. 0.1), so a model is nudged towards the form the math reward reads best.
//
// Options: style = boxed (default: a complete \boxed{...}), hash (a "#### <answer>" line), answer_line (an
// "Answer: ..." line), think (<think>...</think> then an answer), or regex with `pattern` (JavaScript
// syntax, matched against the whole completion; flags in `flags`).
import type { RewardFn } from './types.ts';
import { boxedContents } from './math-extract.ts';
import type { FormatStyle } from './options.ts';

export class FormatOptionError extends Error {
  readonly name = 'FormatOptionError';
}

const CHECKS: Record<Exclude<FormatStyle, 'regex'>, (s: string) => boolean> = {
  boxed: (s) => boxedContents(s).some((b) => b.trim().length > 0),
  hash: (s) => /^####[ \t]*\S/m.test(s),
  answer_line: (s) => /^[ \t*]*(?:final\s+)?answer\s*(?:\*\*)?\s*:\s*\S/im.test(s),
  think: (s) => /^\s*<think>[\s\S]*?<\/think>\s*\S/.test(s),
};

/** A checker for the configured style; throws FormatOptionError for an unknown style or a bad pattern. */
export function formatChecker(options: Record<string, unknown>): (s: string) => boolean {
  const style = (options.style ?? 'boxed') as FormatStyle;
  if (style === 'regex') {
    if (typeof options.pattern !== 'string')
      throw new FormatOptionError('format reward style "regex" needs a string option "pattern"');
    let re: RegExp;
    try {
      re = new RegExp(options.pattern, typeof options.flags === 'string' ? options.flags : '');
    } catch (e) {
      throw new FormatOptionError(`format reward pattern is not a valid regular expression: ${(e as Error).message}`);
    }
    return (s) => re.test(s);
  }
  const check = CHECKS[style as keyof typeof CHECKS];
  if (!check)
    throw new FormatOptionError(
      `format reward style "${String(style)}" is unknown; use one of boxed, hash, answer_line, think, regex`,
    );
  return check;
}

export const formatReward: RewardFn = (sample, options) => {
  const ok = formatChecker(options)(sample.completion);
  return { score: ok ? 1 : 0, details: { style: options.style ?? 'boxed', matched: ok } };
};
