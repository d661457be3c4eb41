// The Python checker against hostile programs: each one below either fails cleanly (a typed error in its
// stderr, a timeout, MemoryError) or, when it tries to raise its score, scores what an honest wrong answer
// scores. One Pyodide serves the file; the checks that end a worker (a loop, os._exit) come last.
import { describe, it, expect, afterAll } from 'vitest';
import { PythonChecker } from '../../src/reward/python/client.ts';
import { nodeHost } from '../../src/reward/python/node-host.ts';
import {
  gradeAbduction,
  gradeDeduction,
  parseAbductionOptions,
  parseDeductionOptions,
} from '../../src/reward/python/reward.ts';

const checker = new PythonChecker(nodeHost());
afterAll(() => checker.dispose());
const job = (code: string, stdins = ['']) => ({ code, stdins, memoryMb: 256, outputLimit: 4096 });
const run1 = async (code: string, stdin = '', ms = 10_000) => {
  const r = await checker.check(job(code, [stdin]), ms);
  return { ...r, run: r.runs[0] };
};
const deduction = parseDeductionOptions({ time_limit_ms: 10_000 });
const SUM_TESTS = [
  { input: '1 2\n', output: '3\n' },
  { input: '5 5\n', output: '10\n' },
  { input: '-1 1\n', output: '0\n' },
];
const scoreOf = async (code: string) =>
  (await gradeDeduction('```python\n' + code + '\n```', SUM_TESTS, deduction, checker)).score;

describe('python checker', () => {
  it('gives stdin and captures stdout and stderr', async () => {
    const r = await run1(
      'import sys\na, b = map(int, input().split())\nprint(a * b)\nprint("note", file=sys.stderr)',
      '6 7\n',
    );
    expect(r.status).toBe('ok');
    expect(r.run).toMatchObject({ outcome: 'ok', stdout: '42\n', stderr: 'note\n' });
  });

  it.each([
    ['import js', "module 'js' is not available"],
    ['import pyodide_js', "module 'pyodide_js' is not available"],
    ['from pyodide.ffi import to_js', "module 'pyodide' is not available"],
    ['from pyodide.code import run_js', "module 'pyodide' is not available"],
    ["__import__('js')", "module 'js' is not available"],
    ["import importlib\nimportlib.import_module('_pyodide_core')", "module '_pyodide_core' is not available"],
    ["import sys\nsys.modules['js']", "KeyError: 'js'"],
    ['import sys\nsys.meta_path.clear()\nimport js', 'ModuleNotFoundError'],
    ['import urllib.request\nurllib.request.urlopen("http://example.com")', "module 'urllib.request' is not available"],
    ['import http.client', "module 'http' is not available"],
    ['import socket', "module 'socket' is not available"],
    ['import ctypes', "module 'ctypes' is not available"],
    ['import gc', "module 'gc' is not available"],
    ['import subprocess', "module 'subprocess' is not available"],
    ['open("/etc/passwd").read()', 'FileNotFoundError'],
    [`open(${JSON.stringify(process.cwd() + '/package.json')}).read()`, 'FileNotFoundError'],
  ])('refuses %s', async (code, message) => {
    const r = await run1(code);
    expect(r.status).toBe('ok');
    expect(r.run.outcome).toBe('error');
    expect(r.run.stderr).toContain(message);
  });

  it('runs the program in a fresh scratch folder and a fresh namespace each time', async () => {
    await run1('import os\nopen("left.txt", "w").write("x")\nsecret = 1');
    const r = await run1('import os\nprint(os.getcwd(), os.listdir("."), "secret" in globals())');
    expect(r.run.stdout).toBe('/scratch [] False\n');
  });

  it('caps memory: an allocation bomb gets MemoryError and the next program runs', async () => {
    const r = await run1('x = []\nwhile True:\n    x.append(bytearray(10**7))');
    expect(r.run.outcome).toBe('error');
    expect(r.run.stderr).toContain('MemoryError');
    expect((await run1('print(sum(range(10)))')).run.stdout).toBe('45\n');
  });

  it('caps output', async () => {
    const r = await run1('while True:\n    print("x" * 100)');
    expect(r.run.truncated).toBe(true);
    expect(r.run.stdout.length).toBeLessThanOrEqual(4096);
    // what the flood left buffered does not leak into the next run
    expect((await run1('print("clean")')).run.stdout).toBe('clean\n');
  });

  it('cannot raise a score by forging output, exiting early or patching builtins', async () => {
    expect(await scoreOf('a, b = map(int, input().split())\nprint(max(a + b, 1))')).toBeCloseTo(2 / 3);
    // printing what a checker might look for
    expect(await scoreOf('print("PASSED 3/3")\nprint("score: 1.0")')).toBe(0);
    // exiting before doing anything, with success
    expect(await scoreOf('import sys\nsys.exit(0)')).toBe(0);
    // patching what a Python-side comparison would use, then the next program is unaffected
    const patch =
      'import builtins\nbuiltins.str = lambda *a: "3"\nbuiltins.print = lambda *a, **k: None\n' +
      'import sys\nsys.stdout.write = lambda s: 0';
    expect(await scoreOf(patch)).toBe(0);
    expect(await scoreOf('a, b = map(int, input().split())\nprint(a + b)')).toBe(1);
  });

  it('abduction: the program runs on the completion input and only the expected output scores', async () => {
    const o = parseAbductionOptions({ time_limit_ms: 10_000 });
    const program = 'n = int(input())\nprint(n * n)';
    const good = await gradeAbduction('Try <input>\n12\n</input>', program, '144\n', o, checker);
    expect(good.score).toBe(1);
    expect(good.details).toMatchObject({ input: '12\n', stdout: '144\n', matched: true });
    expect((await gradeAbduction('<input>11</input>', program, '144', o, checker)).score).toBe(0);
    expect((await gradeAbduction('no answer', program, '144', o, checker)).details?.status).toBe('no_answer');
  });

  it('ends a program that loops, as a timeout, and the next check gets a fresh worker', async () => {
    const r = await run1('while True:\n    pass', '', 1500);
    expect(r.status).toBe('timeout');
    expect(await scoreOf('a, b = map(int, input().split())\nprint(a + b)')).toBe(1);
  });

  it('os._exit ends the check as crashed (score 0), and the next check still works', async () => {
    expect(await scoreOf('print(3, flush=True)\nimport os\nos._exit(0)')).toBe(0);
    expect((await run1('print("after")')).run.stdout).toBe('after\n');
  });
});
