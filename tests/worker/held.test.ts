// The page fetches the live run's history in pieces: what came after what it holds, joined to it. The
// joined history equals the whole one at every step, including once the samples log is full and drops its
// oldest entries, and a caller holding more than the run has (a run resumed from an older checkpoint) gets
// the whole history again.
import { describe, it, expect } from 'vitest';
import { liveHistory } from '../../src/worker/saved-runs.ts';
import { heldOf, joinHistory } from '../../src/worker/held.ts';
import { parseRunConfig } from '../../src/engine/config.ts';
import { appendCapped, type CompletionLogEntry } from '../../src/engine/metrics.ts';
import type { Trainer } from '../../src/engine/trainer.ts';
import type { RunHistory } from '../../src/worker/protocol.ts';

function fakeRun() {
  const config = parseRunConfig({ run: { max_steps: 20, completions_log_size: 5 } });
  const t = { config, history: [], evals: [], completions: [], step: 0, totalSteps: 20 } as unknown as Trainer & {
    history: unknown[];
    evals: unknown[];
    completions: CompletionLogEntry[];
    step: number;
  };
  const evalAt = (step: number) => t.evals.push({ step, accuracy: step / 20 });
  const stepOnce = () => {
    t.step++;
    t.history.push({ step: t.step, phase: 'grpo', time: t.step, values: { reward: t.step } });
    const samples = [0, 1].map((i) => ({ step: t.step, prompt: `p${i}`, completion: 'c' }) as CompletionLogEntry);
    appendCapped(t.completions, samples, config.run.completions_log_size);
    if (t.step % 4 === 0) evalAt(t.step);
  };
  return { t, evalAt, stepOnce };
}

describe('history fetched in pieces', () => {
  it('joined answers equal the whole history at every step', () => {
    const { t, evalAt, stepOnce } = fakeRun();
    evalAt(0);
    let view: RunHistory | null = null;
    for (let i = 0; i < 12; i++) {
      stepOnce();
      const next = liveHistory('r', t, 'running', heldOf(view, 'r'));
      if (view) expect(next.history.length).toBeLessThanOrEqual(1); // only the new step crosses
      const joined = joinHistory(view, next);
      expect(joined).not.toBe(view); // a new object: the page's state stays immutable
      expect(joined).toEqual(liveHistory('r', t, 'running'));
      view = joined;
    }
    expect(view!.samples).toHaveLength(5);
    expect(view!.evals.map((e) => e.step)).toEqual([0, 4, 8, 12]);
  });

  it('holding more than the run has (resumed from an older checkpoint): the whole history again', () => {
    const { t, stepOnce } = fakeRun();
    for (let i = 0; i < 6; i++) stepOnce();
    const held = heldOf(liveHistory('r', t, 'running'), 'r')!;
    t.history.splice(3);
    const next = liveHistory('r', t, 'running', held);
    expect(next.after).toBeUndefined();
    expect(next.history).toHaveLength(3);
  });

  it('a saved run, or another run, is asked for whole', () => {
    const { t, stepOnce } = fakeRun();
    stepOnce();
    const live = liveHistory('r', t, 'running');
    expect(heldOf({ ...live, live: false }, 'r')).toBeUndefined();
    expect(heldOf(live, 'other')).toBeUndefined();
  });
});
