// `webgrpo reward python_deduction|python_abduction --problem problems.json [--id ID] [--option key=value]... < completion.txt`
// Grades the completion on stdin with a Python reward (CPython in WASM, in a worker thread) and prints the
// JSON breakdown: what ran, what it printed, which tests passed. The problem file is one problem as JSON,
// or a JSON list / JSONL file (--id picks one; default the first). The bundled problems are in
// src/data/python-problems.json under "deduction" and "abduction".
import {
  gradeAbduction,
  gradeDeduction,
  parseAbductionOptions,
  parseDeductionOptions,
  pythonTestsOf,
  PythonChecker,
} from '../reward/python/index.ts';
import { textFieldOf } from '../reward/python/reward.ts';
import { checkerArgs, gradeAndPrint } from './reward-checker-cli.ts';

const usage = (kind: string) =>
  `Usage: webgrpo reward ${kind} --problem problems.json [--id ID] [--option key=value]... < completion.txt`;

export function runner(kind: 'python_deduction' | 'python_abduction') {
  return async (argv: string[]): Promise<number> => {
    const { problem, options } = checkerArgs(argv, usage(kind));
    const checker = await PythonChecker.shared();
    return gradeAndPrint(checker, problem, (completion) => {
      if (kind === 'python_deduction') {
        const o = parseDeductionOptions(options);
        return gradeDeduction(completion, pythonTestsOf(problem, o.tests_field), o, checker);
      }
      const o = parseAbductionOptions(options);
      const program = textFieldOf(problem, o.program_field);
      return gradeAbduction(completion, program, textFieldOf(problem, o.output_field), o, checker);
    });
  };
}
