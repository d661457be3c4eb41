// The Python checker in Chromium: Pyodide loads from the app's own origin (<base>/pyodide/, no CDN), runs
// a program on each test's stdin in the page's worker, keeps the bridges to the page closed, and cuts a
// looping program off at its time limit.
import { test, expect } from '@playwright/test';
import { openLab, callLab } from './lab.ts';

interface Graded {
  score: number;
  details: { status: string; test_results: { stdout: string; stderr: string; passed: boolean }[] };
  ms: number;
}

const problem = {
  tests: [
    { input: '2 3\n', output: '5\n' },
    { input: '10 -4\n', output: '6\n' },
  ],
};
const program = (code: string) => '```python\n' + code + '\n```';

test('runs Python from the app origin, closed to the page, with a time limit', async ({ page }) => {
  test.setTimeout(240_000);
  const origins = new Set<string>();
  page.on('request', (r) => origins.add(new URL(r.url()).origin));
  await openLab(page);
  const ok = await callLab<Graded>(
    page,
    'pythonDeductionCheck',
    problem,
    program('a, b = map(int, input().split())\nprint(a + b)'),
  );
  expect(ok.score).toBe(1);
  console.log(`python check in Chromium: ${ok.ms.toFixed(0)} ms`);
  expect([...origins]).toEqual([new URL(page.url()).origin]);

  const bridge = await callLab<Graded>(page, 'pythonDeductionCheck', problem, program('import js\nprint(js.document)'));
  expect(bridge.score).toBe(0);
  expect(bridge.details.test_results[0].stderr).toContain("module 'js' is not available");

  const loop = await callLab<Graded>(page, 'pythonDeductionCheck', problem, program('while True:\n    pass'), {
    time_limit_ms: 1000,
  });
  expect(loop.details.status).toBe('timeout');
  expect(loop.score).toBe(0);
});

test('the Python checker worker lock-down holds in Chromium', async ({ page }) => {
  await openLab(page);
  const outcomes = await callLab<{ attack: string; outcome: string }[]>(page, 'pythonLockdownProbe');
  const byName = Object.fromEntries(outcomes.map((o) => [o.attack, o.outcome]));
  expect(outcomes.filter((o) => o.outcome === 'ESCAPED')).toEqual([]);
  // present in a browser worker before the lock-down, so these check the deletions themselves
  for (const name of ['FontFace', 'fonts', 'OffscreenCanvas', 'webkitRequestFileSystemSync', 'indexedDB', 'caches'])
    expect(byName[`reach ${name}`]).toBe('held');
  expect(byName['Function(return import("data:text/javascript,export default 1"))']).toBe(
    'refused: CodeGenerationRefused',
  );
  expect(byName['AsyncFunction']).toBe('refused: CodeGenerationRefused');
  expect(byName['string setTimeout']).toBe('refused: CodeGenerationRefused');
});
