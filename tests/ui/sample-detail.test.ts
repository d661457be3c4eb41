// The completion dialog's reading of reports: OCaml's boolean test results, Python's test runs (a failed
// run is a failed test, not a tick, as a list of objects once showed), and an episode's turns.
import { describe, it, expect } from 'vitest';
import { testRows, turnRows } from '../../src/ui/run/sample-detail.ts';

describe('sample detail rows', () => {
  it("reads OCaml's booleans and Python's runs, a failed run as failed", () => {
    expect(testRows([true, false])).toEqual([{ passed: true }, { passed: false }]);
    const rows = testRows([
      { input: '1 2\n', expected: '3', stdout: '3\n', stderr: '', outcome: 'ok', passed: true },
      { input: '2 2\n', expected: '4', stdout: '5\n', stderr: '', outcome: 'ok', passed: false },
      { input: '9\n', expected: '1', stdout: '', stderr: 'Traceback', outcome: 'error', passed: false },
    ])!;
    expect(rows.map((r) => r.passed)).toEqual([true, false, false]);
    expect(rows[1]).toEqual({ passed: false, input: '2 2\n', expected: '4', printed: '5\n', outcome: 'ok' });
    expect(testRows(undefined)).toBeNull();
  });

  it("reads an episode's turns", () => {
    expect(turnRows([{ action: 'go north', reward: 0.05, observation: 'You see...' }, {}])).toEqual([
      { action: 'go north', reward: 0.05, observation: 'You see...' },
      { action: '', reward: 0, observation: '' },
    ]);
    expect(turnRows('x')).toBeNull();
  });
});
