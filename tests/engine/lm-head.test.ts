// The chunked LM head (lm-head.ts, with the reference Ops' chunk kernels) against the reference Ops (whole logits, op by op): log-probabilities,
// entropies and the LoRA gradients of a weighted sum of both, with chunks of 1, 3 and all rows, and at a
// sampling temperature, on the CPU and WASM backends (WASM frees a tensor at dispose, so a tensor that the
// backward pass reads after its scope ended fails there). Tolerances: values 1e-5, gradients 1e-4 of their
// max-abs.
import { it, expect, beforeAll, describe } from 'vitest';
import path from 'node:path';
import fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, type BackendName } from '../../src/engine/backend.ts';
import { CausalLM } from '../../src/engine/model/model.ts';
import { dirSource } from '../../src/engine/model/node-source.ts';
import { LoraAdapter } from '../../src/engine/lora.ts';
import { completionLogprobs } from '../../src/engine/grpo.ts';
import { lmHeadLogprobs } from '../../src/engine/lm-head.ts';
import { lmHeadChunkRows } from '../../src/engine/memory.ts';
import { REFERENCE } from '../../src/engine/ops/index.ts';
import { referenceChunks } from '../../src/engine/ops/reference.ts';
import { fixtureDirs } from './fixtures.ts';
import { PARITY_BATCH } from '../../src/lab/parity.ts';

it('chunks hold at most 64 MiB of logits: 110 rows of a 151,936-token vocabulary', () => {
  expect(lmHeadChunkRows(151936)).toBe(110);
  expect(lmHeadChunkRows(256)).toBeGreaterThan(10000);
  expect(lmHeadChunkRows(1e9)).toBe(1);
});

describe.each(['cpu', 'wasm'] as BackendName[])('%s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  it.each([1, 3, 1000])(
    'chunks of %i rows: log-probs, entropies and LoRA gradients as the whole-logits path',
    async (chunk) => {
      const dir = fixtureDirs().find((d) => path.basename(d) === 'qwen2')!;
      const model = await CausalLM.load(dirSource(dir));
      const lora = LoraAdapter.fromPeft(
        model.spec,
        JSON.parse(fs.readFileSync(path.join(dir, 'lora/adapter_config.json'), 'utf8')),
        fs.readFileSync(path.join(dir, 'lora/adapter_model.safetensors')),
      );
      const vars = lora.variables();
      const batch = PARITY_BATCH;
      const wLp = tf.tensor2d([
          [0.3, -1, 0.7],
          [1.2, 0.5, -0.4],
        ]),
        wEnt = tf.tensor2d([
          [0.2, 0.1, -0.3],
          [0.4, -0.2, 0.1],
        ]);
      const before = tf.memory().numTensors;
      const run = (chunked: boolean) => {
        const out: { lp?: Float32Array; ent?: Float32Array } = {};
        const { value, grads } = tf.variableGrads(() => {
          let lp: tf.Tensor2D, ent: tf.Tensor2D;
          if (chunked) {
            // the same slice of hidden states as completionLogprobs, through lmHeadLogprobs with the chunk size under test
            const N = 2,
              P = 4,
              C = 3,
              D = model.spec.hidden;
            const ids = tf.tensor2d(batch.ids, undefined, 'int32');
            const positions = tf.tensor2d(
              batch.mask.map((r) => {
                let p = -1;
                return r.map((m) => (m ? ++p : 1));
              }),
              undefined,
              'int32',
            );
            const keyMask = tf.tensor2d(batch.mask);
            const { hidden } = model.forward({ ids, positions, keyMask, lora, ops: REFERENCE });
            const h = tf.slice(hidden, [0, P - 1, 0], [N, C, D]).reshape([N * C, D]) as tf.Tensor2D;
            const both = lmHeadLogprobs(
              referenceChunks,
              h,
              model.weights.lmHead,
              tf.slice(ids, [0, P], [N, C]).reshape([N * C]) as tf.Tensor1D,
              0.7,
              chunk,
            );
            [lp, ent] = both.map((t) => t.reshape([N, C]) as tf.Tensor2D);
          } else {
            const compute = { ops: REFERENCE, gradientCheckpointing: false };
            ({ logprobs: lp, entropy: ent } = completionLogprobs(model, lora, batch, compute, 0.7));
          }
          out.lp = lp.dataSync() as Float32Array;
          out.ent = ent.dataSync() as Float32Array;
          return tf.add(tf.sum(tf.mul(lp, wLp)), tf.sum(tf.mul(ent, wEnt))) as tf.Scalar;
        }, vars);
        const g = vars.map((v) => grads[v.name].dataSync() as Float32Array);
        const v = value.dataSync()[0];
        tf.dispose([value, ...Object.values(grads)]);
        return { v, g, ...out };
      };
      const a = run(true),
        b = run(false);
      expect(Math.max(...a.lp!.map((x, i) => Math.abs(x - b.lp![i])))).toBeLessThan(1e-5);
      expect(Math.max(...a.ent!.map((x, i) => Math.abs(x - b.ent![i])))).toBeLessThan(1e-5);
      expect(Math.abs(a.v - b.v)).toBeLessThan(1e-5);
      a.g.forEach((g, i) => {
        const scale = Math.max(...b.g[i].map(Math.abs));
        expect(scale).toBeGreaterThan(0);
        expect(Math.max(...g.map((x, j) => Math.abs(x - b.g[i][j])))).toBeLessThan(1e-4 * scale);
      });
      expect(tf.memory().numTensors).toBe(before);
      wLp.dispose();
      wEnt.dispose();
      lora.dispose();
      model.dispose();
    },
  );
});
