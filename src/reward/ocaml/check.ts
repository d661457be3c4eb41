// One check of a program, as the checker's worker runs it: type-check (counting errors definition by
// definition), compile, then run the tests, reporting each step through `emit` as soon as it is known.
//
//   checkProgram(assets, fs, { code, tests, memoryMb: 512 }, (event) => post(event))
import { errorLine, joinItems, splitTopLevel, type TopLevelItem } from './code.ts';
import { OCAMLC, WORK_DIR, runOcamlrun, type OcamlAssets, type OcamlFs, type RunResult } from './wasi-run.ts';
import type { CheckEvent, CheckJob, CompilerMessage } from './protocol.ts';

const SOLUTION = `${WORK_DIR}/solution.ml`;
// Warnings off: they are not errors, and their locations would be mistaken for the error's.
const OCAMLC_FLAGS = ['-w', '-a', '-I', WORK_DIR];

function compilerText(r: RunResult): string {
  return (r.crash ? `compiler crashed: ${r.crash}\n` : '') + r.stderr.trim();
}

/** `ocamlc -c` on a work file; the result's exit code says whether it compiled. */
function ocamlc(assets: OcamlAssets, fs: OcamlFs, job: CheckJob, args: string[]): RunResult {
  return runOcamlrun(assets, fs, [OCAMLC, ...OCAMLC_FLAGS, ...args], {
    memoryMb: job.memoryMb,
    outputLimit: 16 * 1024,
  });
}

/**
 * Counts type errors by dropping the definition each error lies in and checking the rest again, so one
 * mistake costs one definition and later definitions that use it count as errors too (they would not
 * type-check in the program either). Takes errors + 1 compiler runs.
 */
function countTypeErrors(
  assets: OcamlAssets,
  fs: OcamlFs,
  job: CheckJob,
  firstError: RunResult,
): { definitions: number; messages: CompilerMessage[] } {
  let items: TopLevelItem[] = splitTopLevel(job.code);
  const definitions = items.length;
  const messages: CompilerMessage[] = [];
  let result = firstError;
  while (result.exitCode !== 0 && items.length > 0) {
    const line = errorLine(result.stderr, SOLUTION);
    // an error without a location (rare) cannot be pinned on a definition: count it against the last
    const culprit =
      (line === null ? undefined : items.find((it) => line >= it.firstLine && line <= it.lastLine)) ??
      items[items.length - 1];
    messages.push({ stage: 'typecheck', lines: [culprit.firstLine, culprit.lastLine], text: compilerText(result) });
    items = items.filter((it) => it !== culprit);
    if (items.length === 0) break;
    fs.write('solution.ml', joinItems(items));
    result = ocamlc(assets, fs, job, ['-stop-after', 'typing', '-c', SOLUTION]);
  }
  return { definitions, messages };
}

/**
 * The test program: each test's verdict goes to stderr behind a nonce that the code under test cannot
 * know. The reporter is defined before `open Solution`, so a solution that redefines `^` or `flush`
 * cannot disturb it. A test is a boolean expression; as a courtesy to test suites written with `assert`,
 * a unit expression (`asUnit`) passes when it returns without an exception.
 */
function testSource(tests: string[], indices: number[], nonce: string, asUnit = false): string {
  const lines = [
    `let __webgrpo_report i ok = prerr_string ("\\n${nonce} " ^ string_of_int i ^ (if ok then " pass\\n" else " fail\\n")); flush stderr`,
    'open Solution',
  ];
  const verdict = (t: string) =>
    asUnit ? `(try ((\n${t}\n) : unit); true with _ -> false)` : `(try ((\n${t}\n) : bool) with _ -> false)`;
  for (const i of indices) lines.push(`let () = __webgrpo_report ${i} ${verdict(tests[i])}`);
  return lines.join('\n') + '\n';
}

/** Compiles the tests: all in one file when they all compile, else each alone, keeping those that do. */
function compileTests(
  assets: OcamlAssets,
  fs: OcamlFs,
  job: CheckJob,
  nonce: string,
  emit: (e: CheckEvent) => void,
): string[] {
  const all = job.tests.map((_, i) => i);
  fs.write('tests.ml', testSource(job.tests, all, nonce));
  if (ocamlc(assets, fs, job, ['-c', `${WORK_DIR}/tests.ml`]).exitCode === 0) return [`${WORK_DIR}/tests.cmo`];
  const objects: string[] = [];
  for (const i of all) {
    const file = `${WORK_DIR}/test_${i}.ml`;
    fs.write(`test_${i}.ml`, testSource(job.tests, [i], nonce));
    const r = ocamlc(assets, fs, job, ['-c', file]);
    if (r.exitCode === 0) {
      objects.push(`${WORK_DIR}/test_${i}.cmo`);
      continue;
    }
    fs.write(`test_${i}.ml`, testSource(job.tests, [i], nonce, true));
    if (ocamlc(assets, fs, job, ['-c', file]).exitCode === 0) objects.push(`${WORK_DIR}/test_${i}.cmo`);
    else emit({ kind: 'test-compile', index: i, message: compilerText(r) });
  }
  return objects;
}

function randomNonce(): string {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  return `WEBGRPO_TEST_${Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')}`;
}

export function checkProgram(assets: OcamlAssets, fs: OcamlFs, job: CheckJob, emit: (e: CheckEvent) => void): void {
  fs.clear();
  fs.write('solution.ml', job.code + '\n');
  const whole = ocamlc(assets, fs, job, ['-c', SOLUTION]);
  if (whole.exitCode !== 0) {
    const { definitions, messages } = countTypeErrors(assets, fs, job, whole);
    emit({ kind: 'typecheck', definitions, typeErrors: messages.length, messages });
    emit({ kind: 'compile', ok: false, messages: [] });
    return;
  }
  emit({ kind: 'typecheck', definitions: splitTopLevel(job.code).length, typeErrors: 0, messages: [] });
  emit({ kind: 'compile', ok: true, messages: [] });
  if (job.tests.length === 0) return;

  const nonce = randomNonce();
  const objects = compileTests(assets, fs, job, nonce, emit);
  if (objects.length === 0) return;
  const link = ocamlc(assets, fs, job, ['-o', `${WORK_DIR}/prog`, `${WORK_DIR}/solution.cmo`, ...objects]);
  if (link.exitCode !== 0) {
    emit({ kind: 'test-compile', index: -1, message: `linking failed: ${compilerText(link)}` });
    return;
  }
  const prefix = `${nonce} `;
  const run = runOcamlrun(assets, fs, [`${WORK_DIR}/prog`], {
    memoryMb: job.memoryMb,
    onStderrLine: (line) => {
      if (!line.startsWith(prefix)) return;
      const [index, verdict] = line.slice(prefix.length).split(' ');
      emit({ kind: 'test', index: Number(index), passed: verdict === 'pass' });
    },
  });
  const stderr = run.stderr
    .split('\n')
    .filter((l) => !l.startsWith(prefix))
    .join('\n')
    .trim();
  emit({
    kind: 'run',
    exitCode: run.exitCode,
    stdout: run.stdout.slice(0, 4096),
    stderr: stderr.slice(0, 4096),
    crash: run.crash,
  });
}
