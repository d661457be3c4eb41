// `webgrpo reward math --gold "<answer>" [--strict] [--percent-as-number=false] [--tolerance 1e-6] < completion.txt`
// Grades the completion on stdin against the gold answer and prints the verdict as JSON: the score, the
// extracted answer, the rule that matched and the reason. The gold may be a bare answer ("18") or a whole
// GSM8K solution ending in "#### 18".
import { parseArgs } from 'node:util';
import { gradeMath } from '../reward/math.ts';
import { readStdin } from './reward.ts';

// Not args.ts's UsageError: that module loads the tensor engine, which grading text does not need.
class UsageError extends Error {
  readonly name = 'UsageError';
}

const USAGE =
  'Usage: webgrpo reward math --gold "<answer>" [--strict] [--percent-as-number true|false] [--tolerance 1e-6] < completion.txt';

export async function run(argv: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      options: {
        gold: { type: 'string' },
        strict: { type: 'boolean', default: false },
        'percent-as-number': { type: 'string', default: 'true' },
        tolerance: { type: 'string', default: '1e-6' },
      },
    }).values;
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${USAGE}`);
  }
  if (values.gold === undefined) throw new UsageError(`--gold is required\n${USAGE}`);
  const pct = values['percent-as-number'];
  if (pct !== 'true' && pct !== 'false')
    throw new UsageError(`--percent-as-number must be true or false, got "${pct}"`);
  const tolerance = Number(values.tolerance);
  if (!(tolerance >= 0)) throw new UsageError(`--tolerance must be a number >= 0, got "${values.tolerance}"`);
  const completion = await readStdin();
  const verdict = gradeMath(completion, values.gold, {
    strict: values.strict,
    percentAsNumber: pct === 'true',
    tolerance,
  });
  process.stdout.write(`${JSON.stringify(verdict)}\n`);
  return 0;
}
