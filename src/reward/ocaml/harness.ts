// The test program around a solution, built so that the solution cannot change what a test means or what
// the grader hears about it:
//
// - names: a test is compiled after `open Solution` and then `open` of a copy of the standard library
//   (with the predefined types, constructors and exceptions: bool, true, [], ::, Some, Not_found...) made
//   before the solution was opened. So every name the standard library has means the standard library's
//   (`=`, `not`, `List`, `Stdlib`, `true`...), and the solution supplies only the names it adds (the
//   functions, types and constructors the problem asks for). A test that wants a solution's name that the
//   standard library also has writes `Solution.name`. The copy and the reporter get per-check random names,
//   which the solution, compiled before them and never shown them, cannot shadow.
// - verdicts: each test's verdict is written by a reporter module to file descriptor 4, which the program
//   cannot name: the standard library opens channels only on paths (fd 4 has none) and the sandbox refuses
//   `external` and Obj (forbidden.ts). Its stdout, stderr, exit code and at_exit handlers are only shown.
// - a test is a boolean expression (`(t : bool)`, any exception fails it); a test that uses `assert` is a
//   unit expression that passes when it returns. Which of the two is decided by the test's text, never by
//   what type the solution's functions happen to have.
//
//   testSource(tests, [0, 1], key).source   reporterSource()   new VerdictReader(onVerdict).write(bytes)

/** The file descriptor the reporter writes to (after stdin, stdout, stderr and the preopened root, 3). */
export const RESULT_FD = 4;

export const REPORTER_UNIT = 'webgrpo_report';

/** The reporter: one record `T<index>=P;` or `T<index>=F;` per test, each flushed at once. */
export function reporterSource(): string {
  return [
    `external webgrpo_open_fd : int -> out_channel = "caml_ml_open_descriptor_out"`,
    `let channel = webgrpo_open_fd ${RESULT_FD}`,
    `let report i ok =`,
    `  let record = "T" ^ string_of_int i ^ (if ok then "=P;" else "=F;") in`,
    `  output_string channel record;`,
    `  flush channel`,
    '',
  ].join('\n');
}

// Predefined types, constructors and exceptions live outside the Stdlib module; these rebind them so that
// a solution's `type t = true | false`, `type 'a l = [] | (::) of ...` or `exception Not_found` cannot
// take their place in a test.
const PREDEFINED = [
  'type nonrec int = int',
  'type nonrec char = char',
  'type nonrec string = string',
  'type nonrec bytes = bytes',
  'type nonrec float = float',
  'type nonrec exn = exn',
  "type nonrec 'a array = 'a array",
  'type nonrec nativeint = nativeint',
  'type nonrec int32 = int32',
  'type nonrec int64 = int64',
  "type nonrec 'a lazy_t = 'a lazy_t",
  'type nonrec floatarray = floatarray',
  'type nonrec bool = bool = false | true',
  'type nonrec unit = unit = ()',
  "type nonrec 'a list = 'a list = [] | (::) of 'a * 'a list",
  "type nonrec 'a option = 'a option = None | Some of 'a",
  ...[
    'Match_failure',
    'Assert_failure',
    'Invalid_argument',
    'Failure',
    'Not_found',
    'Out_of_memory',
    'Stack_overflow',
    'Sys_error',
    'End_of_file',
    'Division_by_zero',
    'Sys_blocked_io',
    'Undefined_recursive_module',
  ].map((e) => `exception ${e} = ${e}`),
];

/** A test is assert-style (a unit expression) when it uses `assert`; otherwise it is a boolean expression. */
export function isAssertStyle(test: string): boolean {
  return /(^|[^A-Za-z0-9_'.])assert\b/.test(test);
}

/**
 * The test program for the given tests, with each test's 1-based line range (to pin a compiler error on
 * its test); `key` (random, per check) names the harness's own modules.
 */
export function testSource(
  tests: string[],
  indices: number[],
  key: string,
): { source: string; lines: [number, number][] } {
  const std = `Webgrpo_std_${key}`,
    rep = `Webgrpo_report_${key}`;
  const out = [
    `module ${std} = struct`,
    '  include Stdlib',
    '  module Stdlib = Stdlib',
    ...PREDEFINED.map((l) => `  ${l}`),
    'end',
    `module ${rep} = Webgrpo_report`,
    'open Solution',
    `open ${std}`,
  ];
  const lines: [number, number][] = [];
  for (const i of indices) {
    const t = tests[i];
    const verdict = isAssertStyle(t)
      ? `(try ((\n${t}\n) : unit); true with _ -> false)`
      : `(try ((\n${t}\n) : bool) with _ -> false)`;
    const first = out.length + 1;
    out.push(...`let () = ${rep}.report ${i} ${verdict}`.split('\n'));
    lines.push([first, out.length]);
  }
  return { source: out.join('\n') + '\n', lines };
}

/** Reads verdict records as they arrive (a record cut short by the program's end is ignored). */
export class VerdictReader {
  private text = '';
  private readonly seen = new Set<number>();

  constructor(private readonly onVerdict: (index: number, passed: boolean) => void) {}

  write(data: Uint8Array): void {
    this.text += new TextDecoder().decode(data);
    const re = /T(\d+)=([PF]);/g;
    let m: RegExpExecArray | null,
      consumed = 0;
    while ((m = re.exec(this.text))) {
      consumed = re.lastIndex;
      const i = Number(m[1]);
      if (this.seen.has(i)) continue;
      this.seen.add(i);
      this.onVerdict(i, m[2] === 'P');
    }
    this.text = this.text.slice(consumed).slice(-64);
  }
}

export function randomKey(): string {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
