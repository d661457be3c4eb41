// Per-environment evaluation figures against values worked out by hand (means, medians, population std)
// and, for the Jeffreys intervals, scipy.stats.beta.ppf(0.1 | 0.9, wins + 1/2, losses + 1/2).
import { describe, expect, it } from 'vitest';
import { envEvalMetrics, envEvalSummary } from '../../src/env/eval-stats.ts';
import { registerEnv } from '../../src/env/registry.ts';
import type { EpisodeRecord } from '../../src/env/types.ts';

const ep = (env: string, ret: number, success: boolean): EpisodeRecord => ({
  env,
  seed: 0,
  rewards: [ret],
  return: ret,
  success,
  turns: 1,
  end: success ? 'done' : 'max_turns',
});

// grid_world: returns 1.2, 0, 1.05, -0.1 (2 of 4 won); crafting: 1.3, 1.3, 0.2 (2 of 3 won)
const episodes = [
  ep('grid_world', 1.2, true),
  ep('crafting', 1.3, true),
  ep('grid_world', 0, false),
  ep('grid_world', 1.05, true),
  ep('crafting', 1.3, true),
  ep('grid_world', -0.1, false),
  ep('crafting', 0.2, false),
];

describe('envEvalSummary', () => {
  const s = envEvalSummary(episodes);

  it('gives each environment its success rate, return mean, std, median and interval', () => {
    expect(s.per_env.map((r) => r.env)).toEqual(['crafting', 'grid_world']); // sorted by name
    const [craft, grid] = s.per_env;
    expect(grid.n).toBe(4);
    expect(grid.accuracy).toBe(0.5);
    expect(grid.success_rate).toBe(0.5);
    expect(grid.mean).toBeCloseTo(2.15 / 4, 12); // 0.5375
    // deviations 0.6625, -0.5375, 0.5125, -0.6375; squares sum to 1.396875; / 4 = 0.34921875
    expect(grid.std).toBeCloseTo(Math.sqrt(0.34921875), 12); // 0.59094733...
    expect(grid.median).toBeCloseTo((0 + 1.05) / 2, 12); // sorted -0.1, 0, 1.05, 1.2
    expect(grid.interval[0]).toBeCloseTo(0.22456860241035653, 6);
    expect(grid.interval[1]).toBeCloseTo(0.7754313975896435, 6);
    expect(craft.n).toBe(3);
    expect(craft.accuracy).toBeCloseTo(2 / 3, 12);
    expect(craft.mean).toBeCloseTo(2.8 / 3, 12); // 0.9333...
    // deviations 0.3667, 0.3667, -0.7333: squares 0.13444 + 0.13444 + 0.53778 = 0.80667; / 3 = 0.26889
    expect(craft.std).toBeCloseTo(Math.sqrt(0.8066666666666668 / 3), 12); // 0.51854497...
    expect(craft.median).toBe(1.3);
    expect(craft.interval[0]).toBeCloseTo(0.31528967839199074, 6);
    expect(craft.interval[1]).toBeCloseTo(0.8984626744524907, 6);
  });

  it('aggregates over all episodes, so each environment weighs by its episode count', () => {
    const a = s.aggregate;
    expect(a.env).toBe('all');
    expect(a.n).toBe(7);
    expect(a.accuracy).toBeCloseTo(4 / 7, 12);
    // (4 x 0.5375 + 3 x 0.9333) / 7 = (2.15 + 2.8) / 7, not the plain average of the two means
    expect(a.mean).toBeCloseTo(4.95 / 7, 12); // 0.70714...
    expect(a.std).toBeCloseTo(0.594275411998614, 12);
    expect(a.median).toBe(1.05); // sorted -0.1, 0, 0.2, 1.05, 1.2, 1.3, 1.3
    expect(a.interval[0]).toBeCloseTo(0.3391466535212075, 6);
    expect(a.interval[1]).toBeCloseTo(0.7779335731959426, 6);
  });

  it('closes the interval at 0 with no success and at 1 with all successes; nothing gives zeros', () => {
    const none = envEvalSummary(Array.from({ length: 5 }, () => ep('grid_world', -0.2, false))).aggregate;
    expect(none.interval[0]).toBe(0);
    expect(none.interval[1]).toBeCloseTo(0.22672452862909281, 6);
    expect(none.std).toBe(0);
    const all = envEvalSummary(Array.from({ length: 5 }, () => ep('crafting', 1.1, true))).aggregate;
    expect(all.interval[0]).toBeCloseTo(0.7732754713709072, 6);
    expect(all.interval[1]).toBe(1);
    expect(envEvalSummary([])).toEqual({
      per_env: [],
      aggregate: { env: 'all', n: 0, accuracy: 0, success_rate: 0, mean: 0, std: 0, median: 0, interval: [0, 1] },
    });
  });
});

describe('envEvalMetrics', () => {
  it('flattens each row and the aggregate under eval_env/<name>/', () => {
    const m = envEvalMetrics(envEvalSummary(episodes));
    expect(Object.keys(m)).toHaveLength(3 * 8);
    expect(m['eval_env/grid_world/success_rate']).toBe(0.5);
    expect(m['eval_env/grid_world/accuracy']).toBe(0.5);
    expect(m['eval_env/grid_world/episodes']).toBe(4);
    expect(m['eval_env/grid_world/return_median']).toBeCloseTo(0.525, 12);
    expect(m['eval_env/crafting/return_mean']).toBeCloseTo(2.8 / 3, 12);
    expect(m['eval_env/crafting/success_high']).toBeCloseTo(0.8984626744524907, 6);
    expect(m['eval_env/all/success_low']).toBeCloseTo(0.3391466535212075, 6);
    expect(m['eval_env/all/return_std']).toBeCloseTo(0.594275411998614, 12);
  });

  it("environment names that would break metric names, or take the aggregate's, are refused", () => {
    const def = { description: '', instructions: '', defaultMaxTurns: 1, defaults: {}, create: () => ({}) as never };
    expect(() => registerEnv({ ...def, name: 'all' })).toThrow(/not "all"/);
    expect(() => registerEnv({ ...def, name: 'Grid/World' })).toThrow(/lower-case/);
  });
});
