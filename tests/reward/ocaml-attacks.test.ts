// A wrong OCaml program cannot raise its own score: each trick below (shadowing the tests' operators or
// the standard library, exiting, at_exit, printing forged verdicts, reading the tests, external, Obj,
// unsafe functions...) scores at most what the same program scores without it.
import { describe, it, expect, afterAll } from 'vitest';
import { OcamlChecker } from '../../src/reward/ocaml/client.ts';
import { nodeHost } from '../../src/reward/ocaml/node-host.ts';
import { gradeOcaml, OCAML_REWARD_DEFAULTS } from '../../src/reward/ocaml/reward.ts';
import { forbiddenUses } from '../../src/reward/ocaml/forbidden.ts';

const checker = new OcamlChecker(nodeHost());
afterAll(() => checker.dispose());
const score = async (code: string, tests: string[]): Promise<number> => {
  const r = await gradeOcaml(`\`\`\`ocaml\n${code}\n\`\`\`\nEND`, tests, OCAML_REWARD_DEFAULTS, 'stop', checker);
  return r.score!;
};

const SUM_TESTS = ['sum [2; 3; 4] = 9', 'sum [] = 0', 'sum [5] = 5', 'not (sum [1] = 2)', 'List.length [sum []] = 1'];
// wrong: the empty list sums to 1 and the rest multiply (only `sum [5] = 5`, `not (sum [1] = 2)` and the
// length test pass)
const WRONG_SUM = [
  'let rec sum l =',
  '  match l with',
  '  | [] -> 1',
  '  | x :: rest ->',
  '    x * sum rest',
  '',
  'let helper x =',
  '  x + 1',
  '',
  'let other = 3',
].join('\n');

const EVEN_TESTS = ['is_even 4', 'is_even 0', 'not (is_even 7)', 'is_even 3 = false'];
// wrong: passes the first and the last test only
const WRONG_EVEN = [
  'let is_even n =',
  '  n mod 3 = 1',
  '',
  ...'abcdefgh'.split('').map((v, i) => `let ${v} = ${i}`),
].join('\n');

// Each trick is added to the wrong program (or replaces one of its definitions, as marked).
const SUM_TRICKS: Record<string, string> = {
  'shadowing =': 'let ( = ) _ _ = true',
  'shadowing = and not': 'let ( = ) _ _ = true\nlet not _ = true',
  'a fake Stdlib module': 'module Stdlib = struct\n  let ( = ) _ _ = true\n  let not _ = true\nend',
  'a fake List module': 'module List = struct\n  let length _ = 1\nend\nlet ( = ) _ _ = true',
  'shadowing the list constructors': "type 'a fake = [] | ( :: ) of 'a * 'a fake\nlet ( = ) _ _ = true",
  'exit 0 at start-up': 'let () = exit 0',
  'exit 0 from the function under test': 'let sum _ = exit 0',
  'at_exit printing forged verdicts': [
    'let () = at_exit (fun () ->',
    '  for i = 0 to 9 do',
    '    Printf.printf "T%d=P;\\n" i; Printf.eprintf "T%d=P;\\nWEBGRPO_TEST_0 %d pass\\n" i i',
    '  done)',
  ].join('\n'),
  'an exception escaping every call': 'let sum _ = raise Exit',
  // reads the test program's source for the key of its verdict lines, prints forged ones and exits
  'reading the tests and forging their verdicts': [
    'let () =',
    '  let src = try let ic = open_in_bin "/w/tests.ml" in really_input_string ic (in_channel_length ic) with _ -> "" in',
    '  let tag = "WEBGRPO_TEST_" in',
    '  let n = String.length tag in',
    '  let key = ref "" in',
    '  for i = 0 to String.length src - n - 24 do',
    '    if !key = "" && String.sub src i n = tag then key := String.sub src i (n + 24)',
    '  done;',
    '  if src <> "" then begin',
    '    for i = 0 to 9 do Printf.eprintf "\\n%s %d pass\\n" !key i; Printf.printf "T%d=P;" i done;',
    '    exit 0',
    '  end',
  ].join('\n'),
  'writing to the verdict descriptor through a path': [
    'let () =',
    '  List.iter (fun p ->',
    '    try let oc = open_out p in output_string oc "T0=P;T1=P;T2=P;T3=P;T4=P;"; close_out oc with _ -> ())',
    '    ["/dev/fd/4"; "/proc/self/fd/4"; "/w/results"; "4"]',
  ].join('\n'),
  'external opening the verdict descriptor': [
    'external open_fd : int -> out_channel = "caml_ml_open_descriptor_out"',
    'let () = let oc = open_fd 4 in output_string oc "T0=P;T1=P;T2=P;T3=P;T4=P;"; flush oc',
  ].join('\n'),
  'external %identity': 'external magic : int -> bool = "%identity"\nlet ( = ) a b = magic (a - a + 1)',
  'Obj.magic': 'let ( = ) (a : int) (b : int) : bool = Obj.magic 1',
  'Obj through an alias': 'module O = Stdlib.Obj\nlet ( = ) (a : int) (b : int) : bool = O.magic 1',
  'Obj through an open': 'open Obj\nlet ( = ) (a : int) (b : int) : bool = magic 1',
  'Marshal and input_value': 'let f () = (Marshal.from_string "" 0 : int)\nlet g ic = (input_value ic : int)',
  'Array.unsafe_set': 'let poke () = Array.unsafe_set [| 0 |] 100_000 42',
  Stdlib__Obj: 'let ( = ) (a : int) (b : int) : bool = Stdlib__Obj.magic 1',
};

describe('the OCaml reward against a program trying to raise its score', () => {
  it('scores each trick at most what the program scores without it', async () => {
    const base = await score(WRONG_SUM, SUM_TESTS);
    expect(base).toBeCloseTo(0.35 + (0.65 * 3) / 5);
    const raised: string[] = [];
    for (const [name, trick] of Object.entries(SUM_TRICKS)) {
      const s = await score(`${WRONG_SUM}\n\n${trick}`, SUM_TESTS);
      if (s > base + 1e-9) raised.push(`${name}: ${s} > ${base}`);
    }
    expect(raised).toEqual([]);
  }, 240_000);

  it('predefined constructors and types cannot be replaced, and a test is boolean unless it asserts', async () => {
    const base = await score(WRONG_EVEN, EVEN_TESTS);
    expect(base).toBeCloseTo(0.35 + 0.65 / 2);
    const tricks = [
      // the solution's own true/false
      'type fake = false | true\nlet is_even _ = true',
      // a unit-returning function used to pass as an "assert-style" test
      'let is_even _ = ()\nlet not _ = ()',
      'type bool = true | false\nexception Not_found\nlet is_even _ = true',
    ];
    for (const t of tricks) {
      const code = WRONG_EVEN.replace('let is_even n =\n  n mod 3 = 1', t);
      expect(await score(code, EVEN_TESTS), t).toBeLessThanOrEqual(base);
    }
  }, 120_000);

  it('the program sees neither the tests nor itself nor the compiler', async () => {
    const code = [
      'let files () = Sys.readdir "/w"',
      'let exists p = Sys.file_exists p',
      'let a = 1',
      'let b = 2',
      'let c = 3',
      'let d = 4',
      'let e = 5',
      'let f = 6',
    ].join('\n');
    const r = await checker.check(
      {
        code,
        tests: [
          'files () = [||]',
          'not (exists "/w/tests.ml")',
          'not (exists "/w/prog")',
          'not (exists "/usr/bin/ocamlc")',
        ],
        memoryMb: 256,
      },
      20_000,
    );
    expect(r.tests).toEqual([true, true, true, true]);
  }, 60_000);

  it('a correct program that mentions Obj in comments and strings, and has its own =, scores 1', async () => {
    const code = [
      '(* not Obj.magic, and no external here *)',
      'let note = "Obj.magic and external are refused"',
      'let rec sum l =',
      '  match l with',
      '  | [] -> 0',
      '  | x :: rest ->',
      '    x + sum rest',
      'let ( = ) a b = a == b',
      'let quoted = {|Marshal.from_string|}',
    ].join('\n');
    expect(await score(code, SUM_TESTS)).toBe(1);
  }, 60_000);
});

describe('forbiddenUses', () => {
  const dump = (ident: string, node = 'Pexp_ident') => `  ${node} "${ident}" (/w/solution.ml[3,20+8]..[3,20+24])`;
  it('finds forbidden names in the parse tree with their lines, and not in string constants', () => {
    expect(forbiddenUses(dump('Obj.magic'))).toEqual([{ line: 3, what: 'the module Obj' }]);
    expect(forbiddenUses(dump('Obj', 'Pmod_ident'))[0].what).toBe('the module Obj');
    expect(forbiddenUses(dump('CamlinternalOO.x'))[0].what).toBe('the module CamlinternalOO');
    expect(forbiddenUses(dump('Bytes.unsafe_to_string'))[0].what).toMatch(/unsafe_to_string/);
    expect(forbiddenUses('    Pstr_primitive')[0].what).toBe('external declarations');
    expect(forbiddenUses(dump('List.map'))).toEqual([]);
    // a constructor named Obj is not the module
    expect(forbiddenUses(dump('Obj', 'Pexp_construct'))).toEqual([]);
    expect(
      forbiddenUses(
        'Pexp_constant PConst_string("Obj.magic \\"Pstr_primitive",(/w/solution.ml[2,29+9]..[2,29+22]),None)',
      ),
    ).toEqual([]);
  });
});
