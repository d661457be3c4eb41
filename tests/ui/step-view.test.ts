// The Run tab's step view: the completions log cut into the newest step's groups, their statistics, the
// progress words and the time left.
import { describe, expect, it } from 'vitest';
import { estimateLeft, groupStats, latestStep, plannedSteps, progressWords } from '../../src/ui/run/step-view.ts';
import { rewardSeries } from '../../src/ui/run/charts.ts';
import type { CompletionLogEntry } from '../../src/worker/protocol.ts';

const entry = (step: number, prompt: string, reward: number | null): CompletionLogEntry => ({
  step,
  prompt,
  completion: 'x',
  rewards: { math: reward },
  reward,
  advantage: 0,
  finish: 'stop',
  length: 1,
});

describe('latestStep', () => {
  it('keeps only the newest step, in groups of G, with the mean and unbiased std of the non-null rewards', () => {
    const log = [entry(1, 'old', 1), entry(1, 'old', 0), entry(2, 'a', 1), entry(2, 'a', 0), entry(2, 'a', null)];
    log.push(entry(2, 'b', 1), entry(2, 'b', 1), entry(2, 'b', 1));
    const s = latestStep(log, 3)!;
    expect(s.step).toBe(2);
    expect(s.partial).toBe(false);
    expect(s.groups.map((g) => g.prompt)).toEqual(['a', 'b']);
    expect(s.groups[0].mean).toBeCloseTo(0.5);
    expect(s.groups[0].std).toBeCloseTo(Math.SQRT1_2);
    expect(s.groups[1].std).toBe(0);
  });
  it('a step the capped log cut short loses its first groups, aligned from the end, and says so', () => {
    const s = latestStep([entry(3, 'a', 0), entry(3, 'b', 1), entry(3, 'b', 0)], 2)!;
    expect(s.groups.map((g) => g.prompt)).toEqual(['b']);
    expect(s.partial).toBe(true);
  });
  it('an empty log has no step', () => {
    expect(latestStep([], 8)).toBeNull();
    expect(groupStats([null])).toEqual({ mean: 0, std: 0 });
  });
});

describe('progress and time left', () => {
  const ctx = { step: 0, G: 8, prompts: 8, mu: 1 };
  it('says what the worker does in words', () => {
    expect(progressWords({ stage: 'eval', done: 64, total: 100 }, ctx)).toBe(
      'Measuring starting accuracy on 100 questions (64/100)',
    );
    expect(progressWords({ stage: 'eval', done: 1, total: 4 }, { ...ctx, step: 5 })).toBe(
      'Measuring accuracy on 4 questions (1/4)',
    );
    expect(progressWords({ stage: 'sample', done: 3, total: 6 }, ctx)).toBe(
      'Sampling 8 answers to each of 8 questions (token 3/6)',
    );
    expect(progressWords({ stage: 'train', done: 1, total: 1 }, ctx)).toBe('Updating the adapter');
  });
  it('estimates from the median measured step, leaving out the first once others exist; a guess at first', () => {
    expect(estimateLeft([], 10)).toBeNull();
    expect(estimateLeft([30], 10)).toEqual({ seconds: 300, guess: true });
    expect(estimateLeft([30, 2, 3, 2], 10)).toEqual({ seconds: 20, guess: false });
  });
});

describe('rewardSeries', () => {
  it('draws one line for one unweighted reward, and each term beside the total otherwise', () => {
    expect(rewardSeries([{ name: 'math', weight: 1 }]).keys).toEqual(['reward']);
    expect(rewardSeries([{ name: 'math', weight: 2 }]).keys).toEqual(['reward', 'rewards/math/mean']);
    expect(
      rewardSeries([
        { name: 'math', weight: 1 },
        { name: 'format', weight: 0.1 },
      ]).keys,
    ).toEqual(['reward', 'rewards/math/mean', 'rewards/format/mean']);
  });
});

describe('plannedSteps', () => {
  it("counts a run's steps as the trainer does: SFT steps first only in mode sft_then_grpo", () => {
    expect(plannedSteps({ mode: 'grpo', max_steps: 30, sft_steps: 5 })).toBe(30);
    expect(plannedSteps({ mode: 'sft', max_steps: 12, sft_steps: 5 })).toBe(12);
    expect(plannedSteps({ mode: 'sft_then_grpo', max_steps: 30, sft_steps: 5 })).toBe(35);
  });
});
