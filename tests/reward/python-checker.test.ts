// The Python checker against hostile programs: each one below either fails cleanly (a typed error in its
// stderr, a timeout, MemoryError) or, when it tries to raise its score, scores what an honest wrong answer
// scores. One Pyodide serves the file; the checks that end a worker (a loop, os._exit) come last.
import { describe, it, expect, afterAll } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
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

  // Python cannot sandbox Python: each attack below first takes the import blocker away, as a program can
  const UNBLOCK = "import sys\nsys.meta_path[:] = [f for f in sys.meta_path if 'Blocker' not in type(f).__name__]\n";
  it.each([
    [
      'the runner frame',
      "f = sys._getframe(1)\nprint([k for k in f.f_locals.get('modules', {}) if k.split('.')[0] in ('js', 'pyodide_js')])",
      '[]\n',
    ],
    [
      'module globals, frames and the garbage collector',
      'import gc\nfrom pyodide.ffi import JsProxy\nfound = [o for o in gc.get_objects() if isinstance(o, JsProxy)]\n' +
        'for m in list(sys.modules.values()):\n    found += [v for v in vars(m).values() if isinstance(v, JsProxy)]\n' +
        'print(len(found))',
      '0\n',
    ],
    [
      'function globals of every class',
      'from pyodide.ffi import JsProxy\nseen, found = set(), []\ndef walk(c):\n' +
        '    for s in (type.__subclasses__(c) if c is not type else []):\n        if s in seen: continue\n' +
        '        seen.add(s)\n        for v in list(vars(s).values()):\n' +
        "            found.extend(k for k, x in (getattr(v, '__globals__', None) or {}).items() if isinstance(x, JsProxy))\n" +
        '        walk(s)\nwalk(object)\nprint(len(seen) > 500, found)',
      'True []\n',
    ],
  ])('finds no JavaScript object through %s', async (_, code, stdout) => {
    const r = await run1(UNBLOCK + code);
    expect(r.run.stderr).not.toMatch(/Error/);
    expect(r.run.stdout).toBe(stdout);
  });

  it.each([
    [
      'pyodide_js through the JsFinder put back',
      'import _pyodide._importhook as h\nsys.meta_path.append(h.jsfinder)\nimport pyodide_js',
    ],
    [
      'js through the JsFinder put back',
      'import _pyodide._importhook as h\nsys.meta_path.append(h.jsfinder)\nimport js',
    ],
    ['run_js', 'import pyodide.code\npyodide.code.run_js("1")'],
  ])('cannot reach the worker through %s', async (_, code) => {
    const r = await run1(UNBLOCK + code);
    expect(r.run.outcome).toBe('error');
    expect(r.run.stderr).toMatch(/No module named '(js|pyodide_js)'/);
  });

  it('sends nothing to a local listener, whatever route the program takes', async () => {
    let requests = 0;
    const server = http.createServer((_, res) => (requests++, res.end('leak')));
    server.on('connection', () => requests++);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/leak`;
    try {
      for (const code of [
        `import urllib.request\nurllib.request.urlopen(${JSON.stringify(url)})`,
        `import socket\nsocket.create_connection(('127.0.0.1', ${(server.address() as AddressInfo).port}))`,
        `import pyodide.http\npyodide.http.open_url(${JSON.stringify(url)})`,
        `import asyncio, pyodide.http\nasyncio.get_event_loop().run_until_complete(pyodide.http.pyfetch(${JSON.stringify(url)}))`,
      ]) {
        const r = await run1(UNBLOCK + code);
        expect(r.run.outcome).toBe('error');
      }
    } finally {
      server.close();
    }
    expect(requests).toBe(0);
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
