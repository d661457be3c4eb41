// A run with run.gradient_checkpointing reports the metrics of the same run without it (the same
// gradients, so the same updates and samples), for the policy loss and for PPO's value head.
import { it, expect } from 'vitest';
import path from 'node:path';
import { nodeEnv } from '../../src/cli/node-env.ts';
import { presetConfig } from '../../src/engine/presets.ts';
import { TrainingSession } from '../../src/worker/session.ts';
import type { TrainerEvent } from '../../src/worker/protocol.ts';
import type { RunConfig } from '../../src/engine/config.ts';

async function metrics(config: RunConfig): Promise<Record<string, number>[]> {
  const session = new TrainingSession(nodeEnv(path.resolve('public/models/demo'), 'wasm'));
  const out: Record<string, number>[] = [];
  const done = new Promise<void>((resolve, reject) =>
    session.on((e: TrainerEvent) => {
      if (e.kind === 'metrics') out.push(e.metrics.values);
      else if (e.kind === 'error') reject(new Error(`${e.error.name}: ${e.error.message}`));
      else if (e.kind === 'state' && ['done'].includes(e.status.state)) resolve();
    }),
  );
  await session.start(config);
  await done;
  return out;
}

it.each(['grpo', 'ppo'] as const)(
  '%s: the same metrics with gradient checkpointing',
  async (estimator) => {
    const preset = presetConfig('demo');
    const base = {
      ...preset,
      grpo: { ...preset.grpo, advantage_estimator: estimator },
      run: { ...preset.run, max_steps: 2, eval_steps: 0, eval_examples: 4, save_steps: 0 },
    };
    const plain = await metrics(base);
    const ckpt = await metrics({ ...base, run: { ...base.run, gradient_checkpointing: true } });
    expect(ckpt).toHaveLength(2);
    const keys = ['reward', 'loss', 'kl', 'grad_norm', ...(estimator === 'ppo' ? ['value_loss'] : [])];
    ckpt.forEach((m, i) =>
      keys.forEach((k) => {
        expect(Number.isFinite(m[k]), `${k} at step ${i + 1}`).toBe(true);
        expect(Math.abs(m[k] - plain[i][k]), `${k} at step ${i + 1}: ${m[k]} vs ${plain[i][k]}`).toBeLessThan(
          1e-4 * Math.max(1, Math.abs(plain[i][k])),
        );
      }),
    );
  },
  120_000,
);
