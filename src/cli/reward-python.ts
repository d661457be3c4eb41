// `webgrpo reward python_deduction|python_abduction --problem problems.json [--id ID] [--option key=value]... < completion.txt`
// Grades the completion on stdin with a Python reward (CPython in WASM, in a worker thread) and prints the
// JSON breakdown: what ran, what it printed, which tests passed. The problem file is one problem as JSON,
// or a JSON list / JSONL file (--id picks one; default the first). The bundled problems are in
// src/data/python-problems.json under "deduction" and "abduction".
import { parseArgs } from 'node:util';
import {
  gradeAbduction,
  gradeDeduction,
  parseAbductionOptions,
  parseDeductionOptions,
  pythonTestsOf,
  PythonChecker,
} from '../reward/python/index.ts';
import { textFieldOf } from '../reward/python/reward.ts';
import { readProblems } from './reward-ocaml.ts';
import { readStdin } from './reward.ts';

class UsageError extends Error {
  readonly name = 'UsageError';
}

const usage = (kind: string) =>
  `Usage: webgrpo reward ${kind} --problem problems.json [--id ID] [--option key=value]... < completion.txt`;

function parseOption(kv: string): [string, unknown] {
  const at = kv.indexOf('=');
  if (at <= 0) throw new UsageError(`--option takes key=value, got "${kv}"`);
  const raw = kv.slice(at + 1);
  try {
    return [kv.slice(0, at), JSON.parse(raw)];
  } catch {
    return [kv.slice(0, at), raw];
  }
}

export function runner(kind: 'python_deduction' | 'python_abduction') {
  return async (argv: string[]): Promise<number> => {
    let values;
    try {
      values = parseArgs({
        args: argv,
        strict: true,
        options: {
          problem: { type: 'string' },
          id: { type: 'string' },
          option: { type: 'string', multiple: true, default: [] },
        },
      }).values;
    } catch (e) {
      throw new UsageError(`${(e as Error).message}\n${usage(kind)}`);
    }
    if (!values.problem) throw new UsageError(`--problem is required\n${usage(kind)}`);
    const problems = readProblems(values.problem);
    const problem = values.id === undefined ? problems[0] : problems.find((p) => String(p.id) === values.id);
    if (!problem) throw new UsageError(`no problem with id "${values.id}" in ${values.problem}`);
    const options = Object.fromEntries(values.option.map(parseOption));
    const checker = await PythonChecker.shared();
    try {
      // the time limit is the check's own: it counts from when the warm worker begins the check
      const [completion] = await Promise.all([readStdin(), checker.warm()]);
      let result;
      if (kind === 'python_deduction') {
        const o = parseDeductionOptions(options);
        result = await gradeDeduction(completion, pythonTestsOf(problem, o.tests_field), o, checker);
      } else {
        const o = parseAbductionOptions(options);
        const program = textFieldOf(problem, o.program_field);
        result = await gradeAbduction(completion, program, textFieldOf(problem, o.output_field), o, checker);
      }
      process.stdout.write(
        `${JSON.stringify({ problem: problem.id ?? null, score: result.score, ...result.details }, null, 2)}\n`,
      );
    } finally {
      checker.dispose();
    }
    return 0;
  };
}
