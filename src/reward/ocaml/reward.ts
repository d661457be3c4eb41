// The graded OCaml reward: a completion's code is type-checked, compiled and tested by the real OCaml
// compiler (ocamlc 4.13.1 on a WASM ocamlrun, in a worker), and scored in parts:
//
//   structure 5%   the END marker is present (the model knew where its program ends)
//   typecheck 20%  1 - type errors / top-level definitions (errors counted definition by definition)
//   compile   10%  the whole program compiles
//   tests     65%  fraction of the problem's tests that pass (only when it compiles)
//
// then x0.3 when the completion hit the length limit without the END marker (a runaway), and 0 for fewer
// than 8 code lines (too short to be a real attempt). All weights and limits are options.
//
// Sandbox limits: int is 31-bit (max_int = 1073741823), only the standard library (no Unix, Str,
// Threads), stdin is empty, each check has a time limit and a memory cap.
import type { FinishReason, RewardFn, RewardResult } from '../types.ts';
import { codeLineCount, extractCode } from './code.ts';
import { OcamlChecker } from './client.ts';
import type { CheckReport } from './protocol.ts';

import { OcamlRewardOptions } from './options.ts';
export { OcamlRewardOptions };

export const OCAML_REWARD_DEFAULTS: OcamlRewardOptions = OcamlRewardOptions.parse({});

export class OcamlOptionError extends Error {
  readonly name = 'OcamlOptionError';
}

export class OcamlProblemError extends Error {
  readonly name = 'OcamlProblemError';
}

export function parseOcamlOptions(options: Record<string, unknown>): OcamlRewardOptions {
  const r = OcamlRewardOptions.safeParse(options);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ');
    throw new OcamlOptionError(
      `invalid OCaml reward options: ${issues}; known options: ${Object.keys(OcamlRewardOptions.shape).join(', ')}`,
    );
  }
  return r.data;
}

/** The row's tests: a list of strings, or that list as JSON text (how Hub datasets often store it). */
export function testsOf(row: Record<string, unknown>, field: string): string[] {
  let v = row[field];
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      throw new OcamlProblemError(`the "${field}" column is text but not a JSON list of OCaml boolean expressions`);
    }
  }
  if (!Array.isArray(v) || !v.every((t) => typeof t === 'string')) {
    throw new OcamlProblemError(
      `the row's "${field}" must be a list of OCaml boolean expressions (strings); got ${JSON.stringify(v)?.slice(0, 80)}; map the dataset's test column to "${field}"`,
    );
  }
  return v;
}

/** The score and its breakdown from a check's report (pure: the tests pin it down without a compiler). */
export function scoreReport(
  report: CheckReport,
  o: OcamlRewardOptions,
  hasEndMarker: boolean,
  runaway: boolean,
): { score: number; parts: Record<string, number> } {
  const passed = report.tests.filter(Boolean).length;
  const parts = {
    structure: hasEndMarker ? 1 : 0,
    typecheck: report.definitions > 0 ? Math.max(0, 1 - report.typeErrors / report.definitions) : 0,
    compile: report.compiled ? 1 : 0,
    // a problem without tests grades compilation only
    tests: !report.compiled ? 0 : report.tests.length ? passed / report.tests.length : 1,
  };
  let score =
    o.weight_structure * parts.structure +
    o.weight_typecheck * parts.typecheck +
    o.weight_compile * parts.compile +
    o.weight_tests * parts.tests;
  if (runaway) score *= o.runaway_penalty;
  return { score, parts };
}

/** Grades one completion against a problem's tests. */
export async function gradeOcaml(
  completion: string,
  tests: string[],
  o: OcamlRewardOptions,
  finishReason: FinishReason = 'stop',
  checker?: OcamlChecker,
): Promise<RewardResult> {
  const { code, hasEndMarker, source } = extractCode(completion, o.end_marker);
  const codeLines = codeLineCount(code);
  const runaway = finishReason === 'length' && !hasEndMarker;
  const base = {
    code_source: source,
    code_lines: codeLines,
    has_end_marker: hasEndMarker,
    runaway,
    tests_total: tests.length,
  };
  if (codeLines < o.min_code_lines) {
    const metrics = {
      structure: 0,
      typecheck: 0,
      compile: 0,
      tests: 0,
      type_errors: 0,
      runaway: Number(runaway),
      timeout: 0,
      too_short: 1,
    };
    return {
      score: 0,
      details: {
        ...base,
        status: 'too_short',
        reason: `${codeLines} code lines, fewer than min_code_lines (${o.min_code_lines})`,
        metrics,
      },
    };
  }
  const c = checker ?? (await OcamlChecker.shared());
  const report = await c.check({ code, tests, memoryMb: o.memory_mb }, o.time_limit_ms);
  const { score, parts } = scoreReport(report, o, hasEndMarker, runaway);
  return {
    score,
    details: {
      ...base,
      ...parts,
      status: report.status,
      ...(report.reason ? { reason: report.reason } : {}),
      definitions: report.definitions,
      type_errors: report.typeErrors,
      compiled: report.compiled,
      tests_passed: report.tests.filter(Boolean).length,
      test_results: report.tests,
      messages: report.messages,
      stdout: report.stdout,
      elapsed_ms: Math.round(report.elapsedMs),
      // numbers only, for a run's logs (rewards/ocaml_<key>): the parts, the error count and the failure kinds
      metrics: {
        ...parts,
        type_errors: report.typeErrors,
        runaway: Number(runaway),
        timeout: Number(report.status === 'timeout'),
        too_short: 0,
      },
    },
  };
}

/** The `ocaml` reward (RewardFn): the sample's row carries the problem's tests. */
export const ocamlReward: RewardFn = async (sample, options) => {
  const o = parseOcamlOptions(options);
  return gradeOcaml(sample.completion, testsOf(sample.row, o.tests_field), o, sample.finishReason);
};
