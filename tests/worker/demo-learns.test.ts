// The `demo` preset on the bundled demo model, as `webgrpo train --preset demo` runs it but in Node (tfjs
// WASM): each advantage estimator must visibly raise accuracy within the preset's 30 steps. Thresholds come
// from measured runs (WASM; mean reward of the first and last quarter of the steps, greedy evaluation):
//   grpo 0.105 -> 0.290, 10% -> 39%    rloo 0.105 -> 0.279, 10% -> 41%
//   vineppo (K 9) 0.125 -> 0.281, 10% -> 39%    ppo 0.094 -> 0.232, 10% -> 42%
// with margin for other machines' floating point.
import { describe, it, expect } from 'vitest';
import path from 'node:path';
import { nodeEnv } from '../../src/cli/node-env.ts';
import { presetConfig } from '../../src/engine/presets.ts';
import { TrainingSession } from '../../src/worker/session.ts';
import type { EvalResult, TrainerEvent } from '../../src/worker/protocol.ts';

const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;

describe('the demo preset', () => {
  it.each(['grpo', 'rloo', 'vineppo', 'ppo'] as const)(
    'with %s raises evaluation accuracy and reward within its 30 steps',
    async (estimator) => {
      const preset = presetConfig('demo');
      const config = { ...preset, grpo: { ...preset.grpo, advantage_estimator: estimator } };
      expect(config.run.max_steps).toBe(30);
      const session = new TrainingSession(nodeEnv(path.resolve('public/models/demo'), 'wasm'));
      const rewards: number[] = [],
        evals: EvalResult[] = [];
      const done = new Promise<void>((resolve, reject) =>
        session.on((e: TrainerEvent) => {
          if (e.kind === 'metrics') rewards.push(e.metrics.values.reward);
          else if (e.kind === 'eval') evals.push(e.result);
          else if (e.kind === 'error') reject(new Error(`${e.error.name}: ${e.error.message}`));
          else if (e.kind === 'state' && ['done'].includes(e.status.state)) resolve();
        }),
      );
      await session.start(config);
      await done;
      expect(rewards).toHaveLength(30);
      const first = mean(rewards.slice(0, 7)),
        last = mean(rewards.slice(-7));
      const [baseline, final] = [evals[0], evals.at(-1)!];
      console.log(
        `demo preset, ${estimator}: reward first quarter ${first.toFixed(3)}, last quarter ${last.toFixed(3)}; evaluation ${baseline.accuracy} -> ${final.accuracy} (n=${final.n})`,
      );
      expect(baseline.step).toBe(0);
      expect(baseline.accuracy).toBeLessThan(0.2);
      expect(final.step).toBe(30);
      expect(final.accuracy).toBeGreaterThan(baseline.accuracy + 0.15);
      expect(last).toBeGreaterThan(first + 0.08);
    },
    180_000,
  );
});
