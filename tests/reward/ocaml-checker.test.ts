// The OCaml checker on the real compiler (public/ocaml/, run in a Node worker thread): the artefacts are
// those the build script recorded, type errors are counted and explained, and programs that loop,
// exhaust memory, overflow the stack or flood the output end cleanly, with the next check unharmed.
import { describe, it, expect, afterAll } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { OcamlChecker } from '../../src/reward/ocaml/client.ts';
import { nodeHost, repoRoot } from '../../src/reward/ocaml/node-host.ts';
import { gradeOcaml, OCAML_REWARD_DEFAULTS } from '../../src/reward/ocaml/reward.ts';

const checker = new OcamlChecker(nodeHost());
afterAll(() => checker.dispose());
const check = (code: string, tests: string[], timeLimitMs = 5000, memoryMb = 256) =>
  checker.check({ code, tests, memoryMb }, timeLimitMs);

describe('artefacts', () => {
  it('public/ocaml matches the checksums recorded by tools/ocaml-wasm/build.sh', () => {
    const root = repoRoot();
    const lines = fs.readFileSync(path.join(root, 'tools/ocaml-wasm/SHA256SUMS'), 'utf8').trim().split('\n');
    const listed = lines.map((l) => l.split(/\s+/)[1]).sort();
    const present = fs
      .readdirSync(path.join(root, 'public/ocaml'), { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => path.relative(root, path.join(d.parentPath, d.name)))
      .sort();
    expect(listed).toEqual(present);
    for (const line of lines) {
      const [sum, file] = line.split(/\s+/);
      expect(
        crypto
          .createHash('sha256')
          .update(fs.readFileSync(path.join(root, file)))
          .digest('hex'),
        file,
      ).toBe(sum);
    }
  });
});

describe('checks', () => {
  it('compiles and runs tests; 31-bit int; an exception fails only its own test', async () => {
    const r = await check('let twice x = 2 * x\nlet boom () = failwith "no"', [
      'twice 3 = 6',
      'max_int = 1073741823',
      'boom ()',
      'twice 1 = 3',
    ]);
    expect(r).toMatchObject({
      status: 'ok',
      compiled: true,
      typeErrors: 0,
      definitions: 2,
      tests: [true, true, false, false],
    });
  });

  it('counts type errors definition by definition, with the compiler messages', async () => {
    const code = 'let a = 1 + "x"\nlet b = 2\nlet c = b +. 1.0\nlet d = a + b';
    const r = await check(code, ['b = 2']);
    expect(r.compiled).toBe(false);
    expect(r.definitions).toBe(4);
    // a, c, and d (which uses the dropped a) fail
    expect(r.typeErrors).toBe(3);
    expect(r.messages.map((m) => m.lines)).toEqual([
      [1, 1],
      [3, 3],
      [4, 4],
    ]);
    expect(r.messages[0].text).toMatch(/This expression has type string but an expression was expected of type\s+int/);
    expect(r.messages[2].text).toMatch(/Unbound value a/);
    expect(r.tests).toEqual([false]);
  });

  it('a syntax error counts as an error of its definition', async () => {
    const r = await check('let f x = x +\nlet g y = y', []);
    expect(r.typeErrors).toBeGreaterThanOrEqual(1);
    expect(r.messages[0].text).toMatch(/Syntax error/);
  });

  it('no Unix, Str or Threads; stdin is empty', async () => {
    const r = await check('let pid () = Unix.getpid ()', []);
    expect(r.messages[0].text).toMatch(/Unbound module Unix/);
    const s = await check('let line () = try Some (read_line ()) with End_of_file -> None', ['line () = None']);
    expect(s.tests).toEqual([true]);
  });

  it('a test that does not compile fails alone', async () => {
    const r = await check('let inc x = x + 1', ['inc 1 = 2', 'inc "a" = 2', 'nope 1', 'inc 2 = 3']);
    expect(r.tests).toEqual([true, false, false, true]);
    expect(r.messages.filter((m) => m.stage === 'tests')).toHaveLength(2);
  });

  it("assert-style unit tests pass when they return; a test's names mean the standard library's first", async () => {
    const r = await check('let inc x = x + 1\nlet ( ^ ) a b = a + b\nlet flush _ = ()\nlet ( +++ ) a b = a - b', [
      'assert (inc 1 = 2)',
      'assert (inc 1 = 5)',
      // the solution's ^ is not the tests' (Solution.( ^ ) is), its own new operator is
      '1 ^ 2 = 3',
      'Solution.( ^ ) 1 2 = 3',
      '5 +++ 2 = 3',
    ]);
    expect(r.tests).toEqual([true, false, false, true, true]);
  });

  it('an infinite loop is cut at the time limit, keeps the verdicts already given, and the next check works', async () => {
    const r = await check('let rec spin x = spin x\nlet ok = 1', ['ok = 1', 'spin 0 = 0', 'ok = 1'], 1500);
    // the limit is the check's own (from when its worker begins it, not counting the worker's start)
    expect(r.elapsedMs).toBeGreaterThanOrEqual(1500);
    expect(r.elapsedMs).toBeLessThan(1500 + 300);
    expect(r).toMatchObject({ status: 'timeout', compiled: true, tests: [true, false, false] });
    expect(r.reason).toMatch(/1500 ms/);
    const next = await check('let x = 41 + 1', ['x = 42']);
    expect(next).toMatchObject({ status: 'ok', tests: [true] });
  });

  it('an allocation bomb hits the memory cap and ends cleanly', async () => {
    const r = await check(
      'let rec grow acc = grow (Array.make 100_000 0 :: acc)\nlet bomb = grow []',
      ['true'],
      5000,
      64,
    );
    expect(r.elapsedMs).toBeLessThan(5000 + 300);
    expect(r.compiled).toBe(true);
    expect(r.tests).toEqual([false]);
    expect(JSON.stringify(r.messages) + (r.reason ?? '')).toMatch(
      /Out_of_memory|out of memory|timeout|did not finish/i,
    );
    expect((await check('let y = 1', ['y = 1'])).tests).toEqual([true]);
  });

  it('deep recursion raises Stack_overflow, which fails the test only', async () => {
    const r = await check('let rec deep n = 1 + deep (n + 1)\nlet fine = 2', ['deep 0 = 0', 'fine = 2']);
    expect(r).toMatchObject({ status: 'ok', tests: [false, true] });
  });

  it('a flood of output is truncated; a flood without end is cut by the time limit', async () => {
    const r = await check('let () = for _ = 1 to 200_000 do print_string "0123456789" done\nlet v = 3', ['v = 3']);
    expect(r.tests).toEqual([true]);
    expect(r.stdout.length).toBeLessThanOrEqual(4096);
    const f = await check('let () = while true do print_string "xxxxxxxxxxxxxxxx" done', ['true'], 1500);
    expect(f.status).toBe('timeout');
    expect(f.elapsedMs).toBeLessThan(1500 + 300);
  });
});

describe('concurrency', () => {
  it('runs checks side by side in separate workers; a looping one holds up only its own', async () => {
    const pool = new OcamlChecker(nodeHost(), 2);
    try {
      const t = performance.now();
      const [loop, a, b, c] = await Promise.all([
        pool.check({ code: 'let rec spin x = spin x\nlet v = spin 0', tests: ['true'], memoryMb: 64 }, 3000),
        ...[1, 2, 3].map((n) => pool.check({ code: `let n = ${n}`, tests: [`n = ${n}`], memoryMb: 64 }, 10_000)),
      ]);
      expect(loop.status).toBe('timeout');
      expect(loop.elapsedMs).toBeLessThan(3000 + 500);
      expect([a, b, c].map((r) => r.tests)).toEqual([[true], [true], [true]]);
      // the looping check holds one worker; the three others share the second
      expect(performance.now() - t).toBeLessThan(Math.max(3000, a.elapsedMs + b.elapsedMs + c.elapsedMs) + 3000);
    } finally {
      pool.dispose();
    }
  });
  it('rejects a concurrency below 1', () => {
    expect(() => new OcamlChecker(nodeHost(), 0)).toThrow(/concurrency must be >= 1/);
  });
});

describe('gradeOcaml', () => {
  it('returns the whole breakdown', async () => {
    const code = [
      'let rec sum = function',
      '  | [] -> 0',
      '  | x :: rest ->',
      '    x + sum rest',
      '',
      'let mean l =',
      '  let n = List.length l in',
      '  if n = 0 then 0',
      '  else sum l / n',
    ].join('\n');
    const r = await gradeOcaml(
      `\`\`\`ocaml\n${code}\n\`\`\`\nEND`,
      ['sum [1; 2] = 3', 'mean [2; 4] = 3', 'mean [] = 1'],
      OCAML_REWARD_DEFAULTS,
      'stop',
      checker,
    );
    expect(r.score).toBeCloseTo(0.05 + 0.2 + 0.1 + (0.65 * 2) / 3);
    expect(r.details).toMatchObject({
      structure: 1,
      typecheck: 1,
      compile: 1,
      tests_passed: 2,
      tests_total: 3,
      type_errors: 0,
      status: 'ok',
      code_lines: 8,
    });
    expect(r.details!.metrics).toEqual({
      structure: 1,
      typecheck: 1,
      compile: 1,
      tests: 2 / 3,
      type_errors: 0,
      runaway: 0,
      timeout: 0,
      too_short: 0,
    });
  });
});
