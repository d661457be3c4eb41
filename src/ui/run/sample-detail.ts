// What a reward or an environment reported, in the shapes the completion dialog draws: test results (the
// OCaml reward's list of booleans, the Python deduction reward's list of runs with input, expected output,
// what was printed and whether it passed) and an episode's turns (action, reward, observation).
//
//   testRows([true, false])                                         // [{ passed: true }, { passed: false }]
//   testRows([{ input: '1\n', expected: '2', stdout: '3', passed: false }])
//   turnRows([{ action: 'go north', reward: 0.05, observation: '...' }])

export interface TestRow {
  passed: boolean;
  input?: string;
  expected?: string;
  printed?: string;
  outcome?: string;
}

export interface TurnRow {
  action: string;
  reward: number;
  observation: string;
}

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Test results as rows, or null when the value is not a list of them. */
export function testRows(v: unknown): TestRow[] | null {
  if (!Array.isArray(v)) return null;
  return v.map((t) => {
    if (typeof t === 'boolean') return { passed: t };
    const o = (t && typeof t === 'object' ? t : {}) as Record<string, unknown>;
    return {
      passed: o.passed === true,
      input: text(o.input),
      expected: text(o.expected),
      printed: text(o.stdout),
      outcome: text(o.outcome),
    };
  });
}

/** An episode's turns as rows, or null when the value is not a list of them. */
export function turnRows(v: unknown): TurnRow[] | null {
  if (!Array.isArray(v)) return null;
  return v.map((t) => {
    const o = (t && typeof t === 'object' ? t : {}) as Record<string, unknown>;
    return {
      action: text(o.action) ?? '',
      reward: typeof o.reward === 'number' ? o.reward : 0,
      observation: text(o.observation) ?? '',
    };
  });
}
