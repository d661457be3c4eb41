import { describe, it, expect } from 'vitest';
import { dominates, dominance, paretoFront, type RunSummary } from '../../src/ui/eval/pareto.ts';

const run = (runId: string, seconds: number, tasks: Record<string, number>): RunSummary => ({
  runId,
  label: runId,
  seconds,
  updatedAt: 0,
  tasks: Object.fromEntries(
    Object.entries(tasks).map(([t, accuracy]) => [t, { accuracy, interval: [accuracy, accuracy], n: 10, step: 1 }]),
  ),
});

describe('Pareto dominance of runs', () => {
  it('a run as accurate on every shared task and faster dominates', () => {
    expect(dominates(run('a', 10, { x: 0.5 }), run('b', 20, { x: 0.5 }))).toEqual(['x']);
  });
  it('better on one task, worse on another: neither dominates', () => {
    const a = run('a', 10, { x: 0.6, y: 0.2 }),
      b = run('b', 10, { x: 0.5, y: 0.3 });
    expect(dominates(a, b)).toBeNull();
    expect(dominates(b, a)).toBeNull();
  });
  it('equal runs do not dominate each other; runs with no shared task are not comparable', () => {
    expect(dominates(run('a', 10, { x: 0.5 }), run('b', 10, { x: 0.5 }))).toBeNull();
    expect(dominates(run('a', 1, { x: 0.9 }), run('b', 10, { y: 0.1 }))).toBeNull();
  });
  it('more accurate but slower does not dominate', () => {
    expect(dominates(run('a', 30, { x: 0.9 }), run('b', 10, { x: 0.1 }))).toBeNull();
  });
  it('the front holds the runs nobody dominates', () => {
    const runs = [
      run('a', 10, { x: 0.8 }),
      run('b', 10, { x: 0.6 }),
      run('c', 5, { x: 0.7 }),
      run('d', 50, { y: 0.1 }),
    ];
    expect(dominance(runs)).toEqual([
      { winner: 'a', loser: 'b', tasks: ['x'] },
      { winner: 'c', loser: 'b', tasks: ['x'] },
    ]);
    expect(paretoFront(runs)).toEqual(['a', 'c', 'd']);
  });
});
