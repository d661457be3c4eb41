// The Python rewards, run by CPython in WebAssembly (Pyodide, in a worker: client.ts):
//
//   python_abduction  the row gives a program and its expected output; the completion gives an input
//                     (<input>...</input> or a ``` block); 1 when the program run on it prints the expected
//                     output (trailing whitespace aside), else 0.
//   python_deduction  the row gives tests ({input, output}); the completion gives a program (```python);
//                     the score is the fraction of tests whose stdout matches.
//
// The worker only runs programs and returns what they printed; the expected outputs never reach it, and
// the comparison happens here, so a program cannot raise its score by forging results, exiting early or
// patching builtins. README.md ("Python checker") lists what the sandbox enforces.
import type { RewardResult } from '../types.ts';
import { PythonChecker } from './client.ts';
import { extractInput, extractProgram, outputsMatch } from './extract.ts';
import { PythonAbductionOptions, PythonDeductionOptions } from './options.ts';
import type { PythonReport } from './protocol.ts';

export class PythonOptionError extends Error {
  readonly name = 'PythonOptionError';
}

export class PythonProblemError extends Error {
  readonly name = 'PythonProblemError';
}

export interface PythonTest {
  input: string;
  output: string;
}

function parseWith<T>(
  schema: {
    safeParse(
      v: unknown,
    ): { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } };
  },
  name: string,
  keys: string[],
  options: Record<string, unknown>,
): T {
  const r = schema.safeParse(options);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ');
  throw new PythonOptionError(`invalid ${name} reward options: ${issues}; known options: ${keys.join(', ')}`);
}

export const parseAbductionOptions = (o: Record<string, unknown>): PythonAbductionOptions =>
  parseWith(PythonAbductionOptions, 'python_abduction', Object.keys(PythonAbductionOptions.shape), o);
export const parseDeductionOptions = (o: Record<string, unknown>): PythonDeductionOptions =>
  parseWith(PythonDeductionOptions, 'python_deduction', Object.keys(PythonDeductionOptions.shape), o);

export function textFieldOf(row: Record<string, unknown>, field: string): string {
  const v = row[field];
  if (typeof v !== 'string')
    throw new PythonProblemError(
      `the row's "${field}" must be text; got ${JSON.stringify(v)?.slice(0, 80)}; map the dataset's column to "${field}"`,
    );
  return v;
}

/** The row's tests: a list of {input, output}, or that list as JSON text (how Hub datasets often store it). */
export function pythonTestsOf(row: Record<string, unknown>, field: string): PythonTest[] {
  let v = row[field];
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      throw new PythonProblemError(`the "${field}" column is text but not a JSON list of {"input", "output"}`);
    }
  }
  if (!Array.isArray(v) || !v.every((t) => t && typeof t.input === 'string' && typeof t.output === 'string'))
    throw new PythonProblemError(
      `the row's "${field}" must be a list of {"input": stdin text, "output": expected stdout}; got ${JSON.stringify(v)?.slice(0, 80)}`,
    );
  return v as PythonTest[];
}

type Limits = { time_limit_ms: number; memory_mb: number; output_limit_kb: number };

async function runChecks(code: string, stdins: string[], o: Limits, checker?: PythonChecker): Promise<PythonReport> {
  const c = checker ?? (await PythonChecker.shared());
  return c.check({ code, stdins, memoryMb: o.memory_mb, outputLimit: o.output_limit_kb * 1024 }, o.time_limit_ms);
}

const statusOf = (r: PythonReport) => ({
  status: r.status,
  ...(r.reason ? { reason: r.reason } : {}),
  elapsed_ms: Math.round(r.elapsedMs),
});

/** Grades one abduction answer: the row's program run on the completion's input. */
export async function gradeAbduction(
  completion: string,
  program: string,
  expected: string,
  o: PythonAbductionOptions,
  checker?: PythonChecker,
): Promise<RewardResult> {
  const input = extractInput(completion, o.input_tag);
  if (!input)
    return {
      score: 0,
      details: {
        status: 'no_answer',
        reason: `no <${o.input_tag}>...</${o.input_tag}> and no \`\`\` block in the completion`,
        program,
        expected,
        metrics: { matched: 0, timeout: 0, no_answer: 1 },
      },
    };
  const report = await runChecks(program, [input.text], o, checker);
  const run = report.runs[0];
  const matched = report.status === 'ok' && !!run && !run.truncated && outputsMatch(run.stdout, expected);
  return {
    score: matched ? 1 : 0,
    details: {
      ...statusOf(report),
      input_source: input.source,
      input: input.text,
      program,
      expected,
      stdout: run?.stdout ?? '',
      stderr: run?.stderr ?? '',
      outcome: run?.outcome ?? null,
      matched,
      metrics: { matched: Number(matched), timeout: Number(report.status === 'timeout'), no_answer: 0 },
    },
  };
}

/** Grades one deduction answer: the completion's program run on each test's stdin. */
export async function gradeDeduction(
  completion: string,
  tests: PythonTest[],
  o: PythonDeductionOptions,
  checker?: PythonChecker,
): Promise<RewardResult> {
  const program = extractProgram(completion);
  if (!program)
    return {
      score: 0,
      details: {
        status: 'no_answer',
        reason: 'no ```python block in the completion',
        tests_total: tests.length,
        tests_passed: 0,
        metrics: { tests: 0, timeout: 0, no_answer: 1 },
      },
    };
  const report = tests.length
    ? await runChecks(
        program.text,
        tests.map((t) => t.input),
        o,
        checker,
      )
    : null;
  const results = tests.map((t, i) => {
    const run = report?.runs[i];
    const passed = !!run && !run.truncated && outputsMatch(run.stdout, t.output);
    return {
      input: t.input,
      expected: t.output,
      stdout: run?.stdout ?? '',
      stderr: run?.stderr ?? '',
      outcome: run?.outcome ?? 'not_run',
      passed,
    };
  });
  const passed = results.filter((r) => r.passed).length;
  const score = tests.length ? passed / tests.length : 0;
  return {
    score,
    details: {
      ...(report ? statusOf(report) : { status: 'ok', reason: 'the problem has no tests' }),
      code_source: program.source,
      code: program.text,
      tests_total: tests.length,
      tests_passed: passed,
      test_results: results,
      metrics: { tests: score, timeout: Number(report?.status === 'timeout'), no_answer: 0 },
    },
  };
}
