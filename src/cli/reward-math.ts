// `webgrpo reward math --gold "<answer>" [--mode auto|number|expression] [--strict] [--percent-as-number=false]
//  [--tolerance 1e-6] < completion.txt`
// Grades the completion on stdin against the gold answer and prints the verdict as JSON: the score, the
// extracted answer, the rule that matched and the reason. The gold may be a bare answer ("18") or a whole
// GSM8K solution ending in "#### 18". With --jsonl, stdin holds one {"completion", "gold"} object per line
// and each line's verdict is printed on its own line (a malformed line gets {"line", "error"}).
// The Compute Engine (3.4 MB of code) is loaded only when a completion is graded by meaning: number golds
// with plain answers are graded without it, with the same verdicts.
import { parseArgs } from 'node:util';
import { gradeMathWith, type ExpressionGrader, type MathOptions, type MathVerdict } from '../reward/math-grade.ts';
import { readStdin } from './stdin.ts';

class EngineNeeded extends Error {}
let expression: ExpressionGrader = () => {
  throw new EngineNeeded();
};

/** gradeMath, loading the expression grader the first time a completion needs it. */
async function gradeMath(completion: string, gold: string, opts: Partial<MathOptions>): Promise<MathVerdict> {
  try {
    return gradeMathWith(expression, completion, gold, opts);
  } catch (e) {
    if (!(e instanceof EngineNeeded)) throw e;
    expression = (await import('../reward/math-expr.ts')).gradeExpression;
    return gradeMathWith(expression, completion, gold, opts);
  }
}

// Not args.ts's UsageError: that module loads the tensor engine, which grading text does not need.
class UsageError extends Error {
  readonly name = 'UsageError';
}

const USAGE =
  'Usage: webgrpo reward math --gold "<answer>" [--mode auto|number|expression] [--strict] [--percent-as-number true|false] [--tolerance 1e-6] < completion.txt\n' +
  '       webgrpo reward math --jsonl [--strict] ... < items.jsonl   (one {"completion", "gold"} per line)';

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      options: {
        gold: { type: 'string' },
        mode: { type: 'string', default: 'auto' },
        strict: { type: 'boolean', default: false },
        'percent-as-number': { type: 'string', default: 'true' },
        tolerance: { type: 'string', default: '1e-6' },
        jsonl: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.gold === undefined && !values.jsonl) throw new UsageError(`--gold is required\n${USAGE}`);
  const pct = values['percent-as-number'];
  if (pct !== 'true' && pct !== 'false')
    throw new UsageError(`--percent-as-number must be true or false, got "${pct}"`);
  const tolerance = Number(values.tolerance);
  if (!(tolerance >= 0)) throw new UsageError(`--tolerance must be a number >= 0, got "${values.tolerance}"`);
  const mode = values.mode;
  if (mode !== 'auto' && mode !== 'number' && mode !== 'expression')
    throw new UsageError(`--mode must be auto, number or expression, got "${mode}"`);
  const opts = { mode, strict: values.strict, percentAsNumber: pct === 'true', tolerance } as const;
  const input = await readStdin();
  if (!values.jsonl) {
    process.stdout.write(`${JSON.stringify(await gradeMath(input, values.gold!, opts))}\n`);
    return 0;
  }
  const out: unknown[] = [];
  for (const [i, l] of input.split('\n').entries()) if (l.trim()) out.push(await gradeLine(l, i + 1, opts));
  process.stdout.write(out.map((o) => `${JSON.stringify(o)}\n`).join(''));
  return 0;
}

async function gradeLine(line: string, n: number, opts: Partial<MathOptions>): Promise<unknown> {
  let o: { completion?: unknown; gold?: unknown };
  try {
    o = JSON.parse(line) as typeof o;
  } catch (e) {
    return { line: n, error: `not JSON: ${(e as Error).message}` };
  }
  if (typeof o?.completion !== 'string' || (typeof o.gold !== 'string' && typeof o.gold !== 'number'))
    return { line: n, error: 'each line needs a string "completion" and a "gold" answer' };
  return gradeMath(o.completion, String(o.gold), opts);
}
