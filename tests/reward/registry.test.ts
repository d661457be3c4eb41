// The registry and the run scorer: weights, per-reward options, failures and time-outs counted and scored
// as configured, and the worker runner restarting a stuck worker.
import { describe, expect, it } from 'vitest';
import { parseRunConfig } from '../../src/engine/config.ts';
import {
  registerReward,
  rewardNames,
  UnknownRewardError,
  toResult,
  RewardValueError,
} from '../../src/reward/registry.ts';
import { RunScorer, weightedTotal } from '../../src/reward/scorer.ts';
import { LocalRewardRunner, RewardTimeoutError, WorkerRewardRunner, type WorkerLike } from '../../src/reward/runner.ts';
import type { RewardReply, RewardRequest } from '../../src/reward/protocol.ts';
import type { RewardSample } from '../../src/reward/types.ts';

const sample = (completion: string, row: Record<string, unknown> = { answer: '18' }): RewardSample => ({
  prompt: 'q',
  completion,
  completionIds: [1, 2, 3],
  row,
  finishReason: 'stop',
});

registerReward({
  name: 'test-throws',
  fn: () => {
    throw new Error('boom');
  },
  description: 'throws',
});
registerReward({ name: 'test-slow', fn: () => new Promise((r) => setTimeout(() => r(1), 500)), description: 'slow' });
registerReward({ name: 'test-nan', fn: () => NaN, description: 'nan' });

describe('reward registry', () => {
  it('has the built-ins and rejects unknown names', () => {
    const config = parseRunConfig({ rewards: [{ name: 'math' }] });
    new RunScorer(config.rewards, new LocalRewardRunner(), config);
    expect(rewardNames()).toEqual(expect.arrayContaining(['math', 'format', 'overlong', 'ksat', 'custom']));
    expect(
      () => new RunScorer(parseRunConfig({ rewards: [{ name: 'nope' }] }).rewards, new LocalRewardRunner()),
    ).toThrow(UnknownRewardError);
    expect(
      () =>
        new RunScorer(
          parseRunConfig({ rewards: [{ name: 'custom', options: { code: 'return 1', memory_mb: 0 } }] }).rewards,
          new LocalRewardRunner(),
        ),
    ).toThrow(/rewards\.0\.options\.memory_mb: custom reward/); // the config refuses it, before any scorer
  });
  it('rejects non-finite scores', () => {
    expect(() => toResult(NaN, 'x')).toThrow(RewardValueError);
    expect(toResult(null, 'x')).toEqual({ score: null });
  });
});

describe('run scorer', () => {
  it('scores each reward, fills run-level options, and weights the breakdown', async () => {
    const config = parseRunConfig({
      sampling: { max_completion_length: 4 },
      rewards: [
        { name: 'math', weight: 1 },
        { name: 'format', weight: 0.5 },
        { name: 'overlong', weight: 1, options: { cache_length: 2 } },
      ],
    });
    const s = RunScorer.fromConfig(config, new LocalRewardRunner());
    const table = await s.score([sample('\\boxed{18}'), sample('18')]);
    expect(table.scores).toEqual([
      [1, 1, -0.5],
      [1, 0, -0.5],
    ]);
    const lines = await s.breakdown(sample('\\boxed{18}'));
    expect(weightedTotal(lines)).toBe(1);
  });
  it('counts failures and time-outs and scores them failure_score, without stopping', async () => {
    const config = parseRunConfig({
      rewards: [
        { name: 'test-throws', failure_score: -1 },
        { name: 'test-slow', timeout_ms: 50 },
        { name: 'test-nan' },
        { name: 'math' },
      ],
    });
    const s = RunScorer.fromConfig(config, new LocalRewardRunner());
    const table = await s.score([sample('18'), sample('17')]);
    expect(table.scores).toEqual([
      [-1, 0, 0, 1],
      [-1, 0, 0, 0],
    ]);
    expect(s.counters()).toMatchObject({
      'rewards/test-throws/failures': 2,
      'rewards/test-slow/timeouts': 2,
      'rewards/test-nan/failures': 2,
      'rewards/math/failures': 0,
    });
    expect(String(table.details![0][0]!.error)).toMatch(/boom/);
  });
});

/** A worker stand-in: answers calls to "math" at once and never answers "hang" (a stuck loop). */
class FakeWorker implements WorkerLike {
  static spawned = 0;
  terminated = false;
  private fn: ((e: MessageEvent<RewardReply>) => void) | null = null;
  constructor() {
    FakeWorker.spawned++;
  }
  addEventListener(_t: 'message', fn: (e: MessageEvent<RewardReply>) => void) {
    this.fn = fn;
  }
  postMessage(m: RewardRequest) {
    if (m.name === 'hang') return;
    setTimeout(
      () =>
        !this.terminated &&
        this.fn?.({ data: { kind: 'scored', id: m.id, result: { score: 1 } } } as MessageEvent<RewardReply>),
      20,
    );
  }
  terminate() {
    this.terminated = true;
  }
}

describe('worker runner', () => {
  it('replaces a stuck worker and re-sends the other calls it held', async () => {
    const r = new WorkerRewardRunner(() => new FakeWorker());
    const stuck = r.call('hang', sample(''), {}, 10);
    const ok = r.call('math', sample(''), {}, 1000);
    await expect(stuck).rejects.toBeInstanceOf(RewardTimeoutError);
    await expect(ok).resolves.toEqual({ score: 1 });
    expect(FakeWorker.spawned).toBe(2);
    r.dispose();
  });
});

describe('reward plugins', () => {
  it('a folder module exporting <name>Reward registers as <name>', async () => {
    const { registerPlugins } = await import('../../src/reward/builtins.ts');
    const names = registerPlugins({
      './lean/index.ts': { leanReward: () => 0.5, description: 'proof checks' },
      './util/index.ts': { helper: 1 },
    });
    expect(names).toEqual(['lean']);
    expect(rewardNames()).toContain('lean');
    await expect(new LocalRewardRunner().call('lean', sample(''), {}, 100)).resolves.toEqual({ score: 0.5 });
  });
});
