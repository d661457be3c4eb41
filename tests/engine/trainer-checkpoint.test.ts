import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initBackend } from '../../src/engine/backend.ts';
import { Trainer } from '../../src/engine/trainer.ts';
import { CheckpointManager, CheckpointWriteError, memoryStore, type BlobStore } from '../../src/engine/checkpoint.ts';
import { fileStore } from '../../src/engine/checkpoint-node.ts';
import type { CausalLM } from '../../src/engine/model/model.ts';
import { loadTiny, toyConfig, toyDeps } from './trainer-helpers.ts';
import { maxAbsDiff } from './fixtures.ts';

let model: CausalLM;
beforeAll(async () => {
  await initBackend('cpu');
  model = await loadTiny('qwen2');
});
afterAll(() => model.dispose());

// every stateful path: dynamic sampling (stream position), mu = 2 (old log-probs), KL, AdamW moments, schedule
const config = () =>
  toyConfig({
    grpo: { num_iterations: 2, beta: 0.04, dynamic_sampling: true },
    optim: { lr_scheduler_type: 'cosine', warmup_ratio: 0.25 },
    run: { max_steps: 4 },
  });
const weights = async (t: Trainer) =>
  Float32Array.from(
    (await Promise.all(t.lora.variables().map((v) => v.data()))).flatMap((d) => Array.from(d as Float32Array)),
  );
const trace = (t: Trainer) =>
  t.history.map((m) => [m.values.reward, m.values.loss, m.values.kl, m.values.learning_rate]);

describe('checkpoints', () => {
  it('resuming from a checkpoint gives the same steps as an uninterrupted run', async () => {
    const straight = Trainer.create(config(), toyDeps(model));
    while (!straight.done) await straight.trainStep();
    const expected = trace(straight),
      expectedW = await weights(straight);
    straight.dispose();

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'webgrpo-ckpt-'));
    const first = Trainer.create(config(), toyDeps(model));
    await first.trainStep();
    await first.trainStep();
    await new CheckpointManager(fileStore(dir)).save('run1', await first.snapshot(), { keep: 2 });
    first.dispose();

    // a new process would start here: fresh data stream, fresh manager over the same files
    const { snapshot } = await new CheckpointManager(fileStore(dir)).load('run1');
    const resumed = Trainer.restore(snapshot, toyDeps(model));
    expect(resumed.step).toBe(2);
    while (!resumed.done) await resumed.trainStep();
    const got = trace(resumed);
    got.forEach((row, i) =>
      row.forEach((x, j) => expect(x, `step ${i + 1} metric ${j}`).toBeCloseTo(expected[i][j], 6)),
    );
    expect(maxAbsDiff(await weights(resumed), expectedW)).toBeLessThan(1e-6);
    resumed.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('detects a corrupted or truncated checkpoint and falls back to the previous one', async () => {
    const store = memoryStore(),
      ckpts = new CheckpointManager(store);
    const t = Trainer.create(toyConfig({ run: { max_steps: 3 } }), toyDeps(model));
    for (let i = 0; i < 3; i++) {
      await t.trainStep();
      await ckpts.save('r', await t.snapshot(), { keep: 3 });
    }
    t.dispose();
    const rec = (await ckpts.record('r'))!;
    const [, second, third] = rec.checkpoints;
    const flipped = store.data.get(third.key)!;
    flipped[flipped.length - 5] ^= 0xff;
    let r = await ckpts.load('r');
    expect(r.info.step).toBe(2);
    expect(r.skipped[0].error).toMatch(/checksum/);
    store.data.set(second.key, store.data.get(second.key)!.slice(0, 100));
    r = await ckpts.load('r');
    expect(r.info.step).toBe(1);
    expect(r.skipped).toHaveLength(2);
  });

  it('keeps the newest save_total_limit checkpoints plus the best by eval', async () => {
    const store = memoryStore(),
      ckpts = new CheckpointManager(store);
    const t = Trainer.create(
      toyConfig({ run: { max_steps: 4, eval_steps: 1, eval_examples: 2 } }),
      toyDeps(model, { evalN: 2 }),
    );
    const acc = [0.9, 0.1, 0.2, 0.3];
    for (let i = 0; i < 4; i++) {
      await t.trainStep();
      (await t.evaluate()).accuracy = acc[i]; // the ranking is what is under test, not the tiny model's skill
      await ckpts.save('r', await t.snapshot(), { keep: 2 });
    }
    t.dispose();
    const rec = (await ckpts.record('r'))!;
    expect(rec.checkpoints.map((c) => c.step)).toEqual([3, 4]);
    expect(rec.best?.step).toBe(1);
    expect((await store.keys('ckpt/r/')).length).toBe(3);
    expect((await ckpts.listRuns()).map((x) => x.runId)).toEqual(['r']);
    await ckpts.deleteRun('r');
    expect(store.data.size).toBe(0);
  });

  it('reports a failed write and leaves the previous checkpoint intact', async () => {
    const inner = memoryStore();
    let full = false;
    const store: BlobStore = {
      ...inner,
      set: async (k, v) => {
        if (full && k.startsWith('ckpt/')) throw new Error('QuotaExceededError');
        return inner.set(k, v);
      },
    };
    const ckpts = new CheckpointManager(store);
    const t = Trainer.create(toyConfig({ run: { max_steps: 2 } }), toyDeps(model));
    await t.trainStep();
    await ckpts.save('r', await t.snapshot(), { keep: 3 });
    await t.trainStep();
    full = true;
    await expect(ckpts.save('r', await t.snapshot(), { keep: 3 })).rejects.toThrow(CheckpointWriteError);
    await expect(ckpts.save('r', await t.snapshot(), { keep: 3 })).rejects.toThrow(/step 1 is intact/);
    t.dispose();
    expect((await ckpts.load('r')).info.step).toBe(1);
  });
});
