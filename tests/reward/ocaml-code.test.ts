// The OCaml reward's text handling and scoring, without a compiler: code extraction, definition
// splitting, and the score from a check's report (weights, runaway penalty, tests only when compiled).
import { describe, it, expect } from 'vitest';
import { extractCode, splitTopLevel, codeLineCount, joinItems, errorLine } from '../../src/reward/ocaml/code.ts';
import {
  scoreReport,
  parseOcamlOptions,
  testsOf,
  OCAML_REWARD_DEFAULTS,
  OcamlOptionError,
  OcamlProblemError,
} from '../../src/reward/ocaml/reward.ts';
import { reportFrom } from '../../src/reward/ocaml/protocol.ts';

describe('extractCode', () => {
  it('takes the ```ocaml block and sees the END marker after it', () => {
    const r = extractCode('Sure:\n```python\nx\n```\n```ocaml\nlet x = 1\n```\nEND', 'END');
    expect(r).toEqual({ code: 'let x = 1', source: 'fence', hasEndMarker: true });
  });
  it('falls back to any fence, then to the text before the END line, then to everything', () => {
    expect(extractCode('```\nlet y = 2\n```', 'END')).toEqual({
      code: 'let y = 2',
      source: 'fence',
      hasEndMarker: false,
    });
    expect(extractCode('let z = 3\nEND\ntrailing talk', 'END')).toEqual({
      code: 'let z = 3',
      source: 'marker',
      hasEndMarker: true,
    });
    expect(extractCode('let w = 4\n', 'END')).toEqual({ code: 'let w = 4', source: 'whole', hasEndMarker: false });
  });
  it('an unclosed fence (cut by the length limit) still yields its code', () => {
    expect(extractCode('```ocaml\nlet rec f x =\n  f x', 'END').code).toBe('let rec f x =\n  f x');
  });
  it('END inside an identifier is not the marker', () => {
    expect(extractCode('let ENDING = 1', 'END').hasEndMarker).toBe(false);
  });
});

describe('splitTopLevel', () => {
  const code =
    '(* helper *)\nlet rec f x =\n  if x = 0 then 0\n  else f (x - 1)\nand g y = y\n\ntype t = A | B\nlet h = 1\nlet () =\n  print_int h';
  it('cuts at unindented phrase starts, keeping `and` and comments with their definition', () => {
    const items = splitTopLevel(code);
    expect(items.map((i) => [i.firstLine, i.lastLine])).toEqual([
      [1, 6],
      [7, 7],
      [8, 8],
      [9, 10],
    ]);
  });
  it('reads code indented as a whole as if it were not', () => {
    expect(splitTopLevel('  let a = 1\n  let b =\n    2').map((i) => i.text)).toEqual(['let a = 1', 'let b =\n  2']);
    expect(splitTopLevel('letter 1\nlet x = 2')).toHaveLength(2);
    expect(splitTopLevel('let x = 1\nletter 2')).toHaveLength(1);
  });
  it('joinItems keeps every definition on its original lines', () => {
    const items = splitTopLevel(code);
    const joined = joinItems([items[0], items[2]]).split('\n');
    expect(joined[7]).toBe('let h = 1');
    expect(joined[6]).toBe('');
  });
  it('codeLineCount skips blank and comment-only lines', () => {
    expect(codeLineCount('let x = 1\n\n  (* note *)\nlet y = 2\n')).toBe(2);
  });
  it('errorLine reads the first error location of the file', () => {
    expect(errorLine('File "/w/solution.ml", line 12, characters 3-4:\nError: ...', '/w/solution.ml')).toBe(12);
    expect(errorLine('File "/w/solution.ml", lines 3-5, characters 3-4:', '/w/solution.ml')).toBe(3);
    expect(errorLine('Error: no location', '/w/solution.ml')).toBeNull();
  });
});

describe('scoreReport', () => {
  const o = OCAML_REWARD_DEFAULTS;
  const report = (over: Partial<ReturnType<typeof reportFrom>>) => ({ ...reportFrom([], 4, 'ok', 1), ...over });
  it('all parts: 0.05 + 0.2 + 0.1 + 0.65', () => {
    const r = scoreReport(report({ definitions: 3, compiled: true, tests: [true, true, true, true] }), o, true, false);
    expect(r.score).toBeCloseTo(1);
  });
  it('type errors grade the type-check part; tests count only when it compiles', () => {
    const r = scoreReport(
      report({ definitions: 4, typeErrors: 1, compiled: false, tests: [true, true, true, true] }),
      o,
      true,
      false,
    );
    expect(r.parts).toEqual({ structure: 1, typecheck: 0.75, compile: 0, tests: 0 });
    expect(r.score).toBeCloseTo(0.05 + 0.2 * 0.75);
  });
  it('a runaway (length limit, no END) is multiplied by runaway_penalty', () => {
    const r = scoreReport(
      report({ definitions: 2, compiled: true, tests: [true, false, false, false] }),
      o,
      false,
      true,
    );
    expect(r.score).toBeCloseTo((0.2 + 0.1 + 0.65 * 0.25) * 0.3);
  });
});

describe('options and problems', () => {
  it('rejects unknown or out-of-range options with the fix', () => {
    expect(() => parseOcamlOptions({ time_limit: 5 })).toThrow(OcamlOptionError);
    expect(() => parseOcamlOptions({ runaway_penalty: 2 })).toThrow(/runaway_penalty/);
    expect(parseOcamlOptions({ weight_tests: 1 }).weight_tests).toBe(1);
  });
  it('reads tests as a list or as its JSON, and says what to map otherwise', () => {
    expect(testsOf({ tests: ['f 1 = 2'] }, 'tests')).toEqual(['f 1 = 2']);
    expect(testsOf({ tests: '["f 1 = 2"]' }, 'tests')).toEqual(['f 1 = 2']);
    expect(() => testsOf({ test_list: [] }, 'tests')).toThrow(OcamlProblemError);
  });
});
