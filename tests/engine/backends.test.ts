// The WASM backend (the fast one in Node) gives the CPU backend's numbers for the training quantities.
// Regression: tf.oneHot(..., 'float32') returned int bit patterns on WASM, zeroing every log-probability.
import { it, expect } from 'vitest';
import * as tf from '../../src/engine/tf.ts';
import { initBackend } from '../../src/engine/backend.ts';
import { CausalLM } from '../../src/engine/model/model.ts';
import { dirSource } from '../../src/engine/model/node-source.ts';
import { completionLogprobs } from '../../src/engine/grpo.ts';
import { fixtureDirs, maxAbsDiff } from './fixtures.ts';
import { chooseOps } from '../../src/engine/ops/index.ts';

it('completion log-probabilities and entropies agree between the CPU and WASM backends', async () => {
  const dir = fixtureDirs()[0];
  const batch = {
    ids: [
      [5, 6, 7, 8, 9, 10],
      [0, 11, 12, 13, 14, 15],
    ],
    mask: [
      [1, 1, 1, 1, 1, 1],
      [0, 1, 1, 1, 1, 1],
    ],
    promptLength: 3,
  };
  const run = async (b: 'cpu' | 'wasm') => {
    await initBackend(b);
    const model = await CausalLM.load(dirSource(dir));
    const out = completionLogprobs(model, null, batch, {
      ops: chooseOps({ fusedKernels: true }),
      gradientCheckpointing: false,
    });
    const r = { lp: Array.from(await out.logprobs.data()), ent: Array.from(await out.entropy.data()) };
    tf.dispose([out.logprobs, out.entropy]);
    model.dispose();
    return r;
  };
  const cpu = await run('cpu'),
    wasm = await run('wasm');
  await initBackend('cpu');
  expect(Math.min(...cpu.lp)).toBeLessThan(-1);
  expect(maxAbsDiff(cpu.lp, wasm.lp)).toBeLessThan(1e-4);
  expect(maxAbsDiff(cpu.ent, wasm.ent)).toBeLessThan(1e-4);
});
