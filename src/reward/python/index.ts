// The Python checker and its two rewards. builtins.ts registers `python_abduction` and `python_deduction`
// (loading this module, and Pyodide, only when one is first scored). See reward.ts and README.md.
export {
  gradeAbduction,
  gradeDeduction,
  parseAbductionOptions,
  parseDeductionOptions,
  pythonTestsOf,
  PythonOptionError,
  PythonProblemError,
  type PythonTest,
} from './reward.ts';
import type { RewardFn } from '../types.ts';
import {
  gradeAbduction,
  gradeDeduction,
  parseAbductionOptions,
  parseDeductionOptions,
  pythonTestsOf,
  textFieldOf,
} from './reward.ts';
export { PythonChecker, PythonCheckerStartError } from './client.ts';
export type { PythonReport, PythonRun, PythonJob } from './protocol.ts';
export { extractInput, extractProgram, normalizeOutput, outputsMatch } from './extract.ts';

export const pythonAbductionReward: RewardFn = async (sample, options) => {
  const o = parseAbductionOptions(options);
  return gradeAbduction(
    sample.completion,
    textFieldOf(sample.row, o.program_field),
    textFieldOf(sample.row, o.output_field),
    o,
  );
};

export const pythonDeductionReward: RewardFn = async (sample, options) => {
  const o = parseDeductionOptions(options);
  return gradeDeduction(sample.completion, pythonTestsOf(sample.row, o.tests_field), o);
};
