import { describe, it, expect } from 'vitest';
import { scorerFromRewards } from '../../src/worker/env.ts';
import { parseRunConfig } from '../../src/engine/config.ts';
import type { RewardFn, RewardSample } from '../../src/reward/types.ts';

const sample = (completion: string): RewardSample => ({ prompt: 'p', completion, completionIds: [], row: { answer: '4' }, finishReason: 'stop' });

describe('scorer from reward functions', () => {
  const fns: Record<string, RewardFn> = {
    exact: (s) => ({ score: s.completion.trim() === s.row.answer ? 1 : 0, details: { got: s.completion.trim() } }),
    len: async (s, o) => (s.completion.length > Number(o.max ?? 3) ? null : 0.5),
    broken: () => { throw new Error('boom'); },
    nan: () => NaN,
  };
  it('scores every sample with every reward, keeping nulls and details', async () => {
    const cfg = parseRunConfig({ rewards: [{ name: 'exact' }, { name: 'len', options: { max: 2 } }, { name: 'nan' }] });
    const t = await scorerFromRewards(cfg.rewards, (n) => fns[n])([sample('4'), sample('five')]);
    expect(t.scores).toEqual([[1, 0.5, null], [0, null, null]]);
    expect(t.details![0][0]).toEqual({ got: '4' });
  });
  it('names the reward that threw', async () => {
    const cfg = parseRunConfig({ rewards: [{ name: 'broken' }] });
    await expect(scorerFromRewards(cfg.rewards, (n) => fns[n])([sample('x')])).rejects.toThrow(/reward "broken" failed/);
  });
});
