// One check of a program, as the checker's worker runs it: type-check (counting errors definition by
// definition), compile, then run the tests, reporting each step through `emit` as soon as it is known.
// What keeps a program from changing its own score: the parse-tree scan of forbidden.ts (while it is
// type-checked), the test program of harness.ts, and the run in a file system of its own whose verdicts
// arrive on a descriptor the program cannot name.
//
//   checkProgram(assets, fs, { code, tests, memoryMb: 512 }, (event) => post(event))
import { errorLine, joinItems, splitTopLevel, type TopLevelItem } from './code.ts';
import { FORBIDDEN_HELP, forbiddenUses, splitDump, type ForbiddenUse } from './forbidden.ts';
import { REPORTER_UNIT, VerdictReader, randomKey, reporterSource, testSource } from './harness.ts';
import { OCAMLC, WORK_DIR, runOcamlrun, type OcamlAssets, type OcamlFs, type RunResult } from './wasi-run.ts';
import type { CheckEvent, CheckJob, CompilerMessage } from './protocol.ts';

const SOLUTION = `${WORK_DIR}/solution.ml`;
const PROGRAM = `${WORK_DIR}/prog`;
const TESTS = `${WORK_DIR}/tests.ml`;
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

/** `ocamlc -dparsetree` on the solution: its result (parse tree cut out of stderr) and its forbidden uses. */
function compileSolution(
  assets: OcamlAssets,
  fs: OcamlFs,
  job: CheckJob,
  typingOnly: boolean,
): { result: RunResult; forbidden: ForbiddenUse[] } {
  const stop = typingOnly ? ['-stop-after', 'typing'] : [];
  const result = runOcamlrun(assets, fs, [OCAMLC, ...OCAMLC_FLAGS, '-dparsetree', ...stop, '-c', SOLUTION], {
    memoryMb: job.memoryMb,
    outputLimit: 8 * 1024 * 1024,
  });
  const { dump, rest } = splitDump(result.stderr);
  const forbidden = forbiddenUses(dump);
  // a parse tree cut short could hide a use after the cut: such a program is not run
  if (result.outputTruncated) forbidden.push({ line: null, what: 'a program too large to inspect' });
  return { result: { ...result, stderr: rest.slice(0, 16 * 1024) }, forbidden };
}

/**
 * Type-checks the solution, counting errors by dropping the definition each error lies in and checking the
 * rest again, so one mistake costs one definition and later definitions that use it count as errors too
 * (they would not type-check in the program either). A definition that uses a construct the sandbox
 * refuses (forbidden.ts) counts as an error in the same way. Takes errors + 1 compiler runs; the first one
 * also compiles the whole program to solution.cmo.
 */
function typecheckSolution(
  assets: OcamlAssets,
  fs: OcamlFs,
  job: CheckJob,
): { definitions: number; messages: CompilerMessage[]; compiled: boolean } {
  let items: TopLevelItem[] = splitTopLevel(job.code);
  const definitions = items.length;
  const messages: CompilerMessage[] = [];
  let first = true,
    compiled = false;
  for (;;) {
    const { result, forbidden } = compileSolution(assets, fs, job, !first);
    const clean = result.exitCode === 0 && forbidden.length === 0;
    if (first) compiled = clean;
    first = false;
    if (clean || items.length === 0) break;
    const line = forbidden.length ? forbidden[0].line : errorLine(result.stderr, SOLUTION);
    // an error without a location (rare) cannot be pinned on a definition: count it against the last
    const culprit =
      (line === null ? undefined : items.find((it) => line >= it.firstLine && line <= it.lastLine)) ??
      items[items.length - 1];
    const inCulprit = forbidden.filter(
      (f) => f.line === null || (f.line >= culprit.firstLine && f.line <= culprit.lastLine),
    );
    const text = forbidden.length
      ? `Error: ${[...new Set(inCulprit.map((f) => f.what))].join(', ')}: ${FORBIDDEN_HELP}`
      : compilerText(result);
    messages.push({ stage: 'typecheck', lines: [culprit.firstLine, culprit.lastLine], text });
    items = items.filter((it) => it !== culprit);
    if (items.length === 0) break;
    fs.write('solution.ml', joinItems(items));
  }
  return { definitions, messages, compiled };
}

/**
 * Compiles the tests and links the program in one compiler run when they all compile (the usual case);
 * otherwise drops the test each error lies in and tries again, so a test that does not compile fails
 * alone (failing tests + 1 runs).
 */
function buildTestProgram(
  assets: OcamlAssets,
  fs: OcamlFs,
  job: CheckJob,
  key: string,
  emit: (e: CheckEvent) => void,
): boolean {
  fs.write(`${REPORTER_UNIT}.ml`, reporterSource());
  let kept = job.tests.map((_, i) => i);
  while (kept.length > 0) {
    const { source, lines } = testSource(job.tests, kept, key);
    fs.write('tests.ml', source);
    const r = ocamlc(assets, fs, job, [
      '-o',
      PROGRAM,
      `${WORK_DIR}/solution.cmo`,
      `${WORK_DIR}/${REPORTER_UNIT}.ml`,
      TESTS,
    ]);
    if (r.exitCode === 0) return true;
    const line = errorLine(r.stderr, TESTS);
    const culprit = line === null ? -1 : kept.findIndex((_, k) => line >= lines[k][0] && line <= lines[k][1]);
    if (culprit < 0) {
      emit({ kind: 'test-compile', index: -1, message: `the test program did not build: ${compilerText(r)}` });
      return false;
    }
    emit({ kind: 'test-compile', index: kept[culprit], message: compilerText(r) });
    kept = kept.filter((_, k) => k !== culprit);
  }
  return false;
}

export function checkProgram(assets: OcamlAssets, fs: OcamlFs, job: CheckJob, emit: (e: CheckEvent) => void): void {
  fs.clear();
  fs.write('solution.ml', job.code + '\n');
  const { definitions, messages, compiled } = typecheckSolution(assets, fs, job);
  emit({ kind: 'typecheck', definitions, typeErrors: messages.length, messages });
  emit({ kind: 'compile', ok: compiled, messages: [] });
  if (!compiled || job.tests.length === 0) return;
  if (!buildTestProgram(assets, fs, job, randomKey(), emit)) return;
  // the program runs in a file system of its own (it cannot read the tests) and reports on fd 4 alone
  const verdicts = new VerdictReader((index, passed) => emit({ kind: 'test', index, passed }));
  const run = runOcamlrun(assets, fs, [PROGRAM], {
    memoryMb: job.memoryMb,
    root: fs.programRoot(PROGRAM.slice(WORK_DIR.length + 1)),
    resultSink: (d) => verdicts.write(d),
  });
  emit({
    kind: 'run',
    exitCode: run.exitCode,
    stdout: run.stdout.slice(0, 4096),
    stderr: run.stderr.trim().slice(0, 4096),
    crash: run.crash,
  });
}
