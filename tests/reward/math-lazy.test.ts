// `webgrpo reward math` loads the Compute Engine (math-expr.ts) only when a completion is graded by meaning,
// and its verdicts are the same as the reward's, which always has the engine at hand.
import { describe, it, expect, vi, afterEach } from 'vitest';

const state = vi.hoisted(() => ({ loaded: false, stdin: '' }));
vi.mock('../../src/reward/math-expr.ts', async (importOriginal) => {
  state.loaded = true;
  return await importOriginal();
});
vi.mock('../../src/cli/stdin.ts', () => ({ readStdin: async () => state.stdin }));

async function cli(argv: string[], stdin: string): Promise<unknown[]> {
  state.stdin = stdin;
  const out: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out.push(String(s));
    return true;
  });
  try {
    const { run } = await import('../../src/cli/reward-math.ts');
    expect(await run(argv)).toBe(0);
  } finally {
    spy.mockRestore();
  }
  return out
    .join('')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

afterEach(() => vi.restoreAllMocks());

describe('webgrpo reward math: the Compute Engine on demand', () => {
  it('grades number golds without loading it, then loads it for the first answer graded by meaning', async () => {
    const items = [
      { completion: 'She makes $18 a day.\n#### 18', gold: '18' },
      { completion: 'so 2 + 3 = 5 apples', gold: '6' },
      { completion: 'The answer is 3/4.', gold: '0.75' },
    ];
    const plain = await cli(['--jsonl'], items.map((i) => JSON.stringify(i)).join('\n'));
    expect(state.loaded).toBe(false);
    const symbolic = [
      { completion: 'So \\boxed{5\\sqrt{2}}', gold: '5' },
      { completion: 'thus \\boxed{\\frac{\\sqrt{3}}{2}}', gold: '\\frac{\\sqrt 3}{2}' },
      { completion: '#### 12', gold: '12' },
    ];
    const meaning = await cli(['--jsonl'], symbolic.map((i) => JSON.stringify(i)).join('\n'));
    expect(state.loaded).toBe(true);
    const { gradeMath } = await import('../../src/reward/math.ts');
    expect(plain).toEqual(items.map((i) => gradeMath(i.completion, i.gold)));
    expect(meaning).toEqual(symbolic.map((i) => gradeMath(i.completion, i.gold)));
    expect(meaning.map((v) => (v as { score: number }).score)).toEqual([0, 1, 1]);
  });
});
