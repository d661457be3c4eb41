// The comparison of runs that differ by a setting (e.g. the advantage estimator): what differs, labels,
// metrics merged by step, and the evaluation rows.
import { describe, it, expect } from 'vitest';
import { parseRunConfig } from '../../src/engine/config.ts';
import { differingSettings, runLabels, overlaySeries, overlayEvals, evalRows } from '../../src/ui/eval/overlay.ts';
import type { RunHistory } from '../../src/worker/protocol.ts';

const ev = (step: number, accuracy: number) =>
  ({
    step,
    accuracy,
    interval: [accuracy - 0.1, accuracy + 0.1] as [number, number],
    n: 100,
    k: 1,
    correct: 0,
    examples: [],
  }) as unknown as RunHistory['evals'][number];
const m = (step: number, values: Record<string, number>) => ({ step, phase: 'grpo' as const, time: 0, values });

function run(
  runId: string,
  estimator: string,
  rewards: number[],
  evals: [number, number][],
): Pick<RunHistory, 'runId' | 'config' | 'history' | 'evals'> {
  return {
    runId,
    config: parseRunConfig({ grpo: { advantage_estimator: estimator } }),
    history: rewards.map((r, i) => m(i + 1, { reward: r })),
    evals: evals.map(([s, a]) => ev(s, a)),
  };
}

describe('run overlay', () => {
  const runs = [
    run(
      'a',
      'grpo',
      [0.1, 0.2, 0.3],
      [
        [0, 0.1],
        [3, 0.4],
      ],
    ),
    run('b', 'rloo', [0.1, 0.25], [[0, 0.1]]),
  ];

  it('finds the settings that differ and labels each run by them', () => {
    const diffs = differingSettings(runs.map((r) => r.config));
    expect(diffs).toEqual([{ path: 'grpo.advantage_estimator', values: ['grpo', 'rloo'] }]);
    expect(runLabels(runs, diffs)).toEqual(['advantage_estimator: grpo', 'advantage_estimator: rloo']);
    expect(runLabels(runs, [])).toEqual(['a', 'b']);
    const same = [runs[0], { ...runs[0], runId: 'c' }];
    expect(runLabels(same, [{ path: 'x.y', values: ['1', '1'] }])).toEqual(['y: 1 (a)', 'y: 1 (c)']);
  });

  it('merges a metric by step with gaps where a run has no value', () => {
    const s = overlaySeries(runs, ['g', 'r'], 'reward');
    expect(s).toEqual([
      { step: 1, values: { g: 0.1, r: 0.1 } },
      { step: 2, values: { g: 0.2, r: 0.25 } },
      { step: 3, values: { g: 0.3 } },
    ]);
    expect(overlaySeries(runs, ['g', 'r'], 'value_loss').every((p) => Object.keys(p.values).length === 0)).toBe(true);
    expect(overlayEvals(runs, ['g', 'r'])).toEqual([
      { step: 0, values: { g: 0.1, r: 0.1 } },
      { step: 3, values: { g: 0.4 } },
    ]);
  });

  it('gives each run its baseline and its final evaluation', () => {
    const rows = evalRows(runs, ['g', 'r']);
    expect(rows[0]).toMatchObject({
      label: 'g',
      steps: 3,
      baseline: { step: 0, accuracy: 0.1 },
      final: { step: 3, accuracy: 0.4 },
    });
    expect(rows[1]).toMatchObject({ label: 'r', steps: 2, baseline: { step: 0 } });
    expect(rows[1].final).toBeUndefined();
  });
});
